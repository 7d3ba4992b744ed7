import { env, z } from '@mealpeak/config';

export const configSchema = z.object({
  ...env.serviceBase,
  OPS_PORT: env.port(9461),
  /** Port of the gRPC server (and its standard health service). */
  GRPC_PORT: env.port(50051),
  ...env.postgres,
  /** This service's own schema; migrations create it. */
  PG_SCHEMA: z
    .string()
    .regex(/^[a-z_]+$/)
    .default('orders'),
  /**
   * Apply pending forward-only migrations at start-up (replicas serialise on an advisory lock).
   * Off: start-up refuses a schema with pending migrations; apply them with `pnpm migrate <service>`.
   */
  MIGRATE_ON_START: env.bool(true),
  ...env.kafka,
  ...env.inbox,
  /** Client id in broker logs and metrics. */
  KAFKA_CLIENT_ID: z.string().default('order'),
  /** Merchant service (ReserveStock / ReleaseStock); dns:///name:port balances over replicas. */
  MERCHANT_GRPC_TARGET: z.string().default('127.0.0.1:50052'),
  /** Deadline of ReserveStock, below the gateway's PlaceOrder deadline. */
  RESERVE_DEADLINE_MS: env.callDeadlineMs(2_000),
  /**
   * Time a merchant has to accept before the order is rejected (MERCHANT_TIMEOUT); at most an hour:
   * the merchant service stops counting an order in its kitchen's backlog by the time of its
   * creation, assuming acceptance within the hour (merchant MAX_ACCEPT_WAIT_MS, docs/merchant.md).
   */
  ACCEPT_TIMEOUT_SECONDS: z.coerce.number().int().positive().max(3_600).default(180),
  /**
   * The promised delivery time is the merchant's preparation estimate + the ride at
   * PROMISE_RIDER_SPEED_MPS + this margin (acceptance, the rider's way to the merchant, handover).
   */
  PROMISE_MARGIN_MINUTES: env.positiveInt(15),
  /** Straight-line speed of the ride in the promise; 5 m/s = 18 km/h, as dispatch's RIDER_SPEED_MPS. */
  PROMISE_RIDER_SPEED_MPS: z.coerce.number().positive().default(5),
  /**
   * An ACCEPTED order this long past its expected ready time counts as overdue
   * (mealpeak_order_accepted_overdue_orders, alert MealpeakAcceptedOrdersOverdue).
   */
  ACCEPTED_OVERDUE_GRACE_MS: env.intervalMs(900_000),
  /** How often each replica looks for orders past their acceptance deadline. */
  ACCEPT_SWEEP_INTERVAL_MS: env.intervalMs(1_000),
  /** Outbox relay partitions; the same on every replica. */
  OUTBOX_PARTITIONS: env.positiveInt(8),
  /** Most outbox rows the relay publishes per Kafka send. */
  OUTBOX_BATCH_SIZE: env.positiveInt(500),
  /** Off when a separate deployment relays the outbox; also how tests hold events back. */
  OUTBOX_RELAY_ENABLED: env.bool(true),
});

export type Config = z.output<typeof configSchema>;
