import { env, z } from '@mealpeak/config';

/** Every variable the merchant service reads, with defaults that run locally (docs/merchant.md). */
export const configSchema = z.object({
  ...env.serviceBase,
  OPS_PORT: env.port(9462),
  /** Port of the gRPC server (and its standard health service). */
  GRPC_PORT: env.port(50052),
  ...env.postgres,
  /** This service's own schema; migrations create it. */
  PG_SCHEMA: z
    .string()
    .regex(/^[a-z_]+$/)
    .default('merchants'),
  /**
   * Apply pending forward-only migrations at start-up (replicas serialise on an advisory lock).
   * Off: start-up refuses a schema with pending migrations; apply them with `pnpm migrate <service>`.
   */
  MIGRATE_ON_START: env.bool(true),
  ...env.kafka,
  ...env.inbox,
  /** Client id in broker logs and metrics. */
  KAFKA_CLIENT_ID: z.string().min(1).default('merchant'),
  /** The order service (TransitionOrder for accept/reject/ready, GetOrder for the sweeper). */
  ORDER_GRPC_TARGET: z.string().min(1).default('127.0.0.1:50051'),
  /** Deadline of our calls to the order service; an incoming call's own deadline caps it. */
  GRPC_DEADLINE_MS: env.callDeadlineMs(2_000),
  /** How long a reservation stays tentative before the sweeper asks the order service about it. */
  RESERVATION_TTL_SECONDS: env.positiveInt(120),
  /** How often each replica looks for tentative reservations past their TTL. */
  SWEEP_INTERVAL_MS: env.intervalMs(5_000),
  /** Reservations one sweep checks at most. */
  SWEEP_BATCH_SIZE: env.positiveInt(100),
  /**
   * How often each replica recounts the backlog of merchants that are auto-paused or have a
   * backlog, and an order past the age at which it stops counting (docs/merchant.md): without it
   * a store auto-paused by forgotten orders gets no new order, hence no recount, and stays paused.
   */
  BACKLOG_RECOUNT_INTERVAL_MS: env.intervalMs(30_000, 1_000),
  /**
   * Merchants one recount transaction locks and recounts at most: small, since those merchants are
   * busy ones whose order events wait for the lock meanwhile.
   */
  BACKLOG_RECOUNT_BATCH_SIZE: env.positiveInt(10),
  /** When the order service could not answer the sweeper, ask again after this long. */
  SWEEP_RETRY_MS: env.intervalMs(30_000),
  /**
   * How stale placement's view of merchant profiles (status, opening hours) and item names may be;
   * 0 reads every time. Stock and prices are always checked in the database.
   */
  CATALOGUE_CACHE_MS: env.durationMs(1_000),
  /** Most items one merchant's menu may hold; a new one beyond it is 409 MENU_FULL (1-5,000). */
  MAX_MENU_ITEMS: z.coerce.number().int().min(1).max(5_000).default(500),
  /**
   * How long finished kitchen rows and reservations are kept: longer than the order topic's
   * retention plus consumer lag, like INBOX_RETENTION_HOURS, so no event can still need them.
   */
  KITCHEN_RETENTION_HOURS: env.positiveInt(192),
  /** Outbox relay partitions; the same on every replica. */
  OUTBOX_PARTITIONS: env.positiveInt(8),
});

export type Config = z.output<typeof configSchema>;
