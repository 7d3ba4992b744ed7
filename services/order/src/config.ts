import { env, z } from '@mealpeak/config';

export const configSchema = z.object({
  ...env.serviceBase,
  OPS_PORT: env.port(9461),
  GRPC_PORT: env.port(50051),
  ...env.postgres,
  PG_SCHEMA: z
    .string()
    .regex(/^[a-z_]+$/)
    .default('orders'),
  MIGRATE_ON_START: env.bool(true),
  ...env.kafka,
  KAFKA_CLIENT_ID: z.string().default('order'),
  /** Merchant service (ReserveStock / ReleaseStock); dns:///name:port balances over replicas. */
  MERCHANT_GRPC_TARGET: z.string().default('127.0.0.1:50052'),
  /** Deadline of ReserveStock, below the gateway's PlaceOrder deadline. */
  RESERVE_DEADLINE_MS: env.durationMs(2_000),
  /** Time a merchant has to accept before the order is rejected (MERCHANT_TIMEOUT). */
  ACCEPT_TIMEOUT_SECONDS: env.positiveInt(180),
  PROMISE_MINUTES: env.positiveInt(40),
  ACCEPT_SWEEP_INTERVAL_MS: env.durationMs(1_000),
  /** Outbox relay partitions; the same on every replica. */
  OUTBOX_PARTITIONS: env.positiveInt(8),
  OUTBOX_BATCH_SIZE: env.positiveInt(500),
  /** Off when a separate deployment relays the outbox; also how tests hold events back. */
  OUTBOX_RELAY_ENABLED: env.bool(true),
});

export type Config = z.output<typeof configSchema>;
