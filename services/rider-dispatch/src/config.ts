import { env, z } from '@mealpeak/config';
import { POSITION_CHECKS } from '@mealpeak/rider-positions';

export const configSchema = z.object({
  ...env.serviceBase,
  OPS_PORT: env.port(9463),
  /** Port of the gRPC server (and its standard health service). */
  GRPC_PORT: env.port(50053),
  ...env.postgres,
  /** This service's own schema; migrations create it. */
  PG_SCHEMA: z
    .string()
    .regex(/^[a-z_]+$/)
    .default('dispatch'),
  /**
   * Apply pending forward-only migrations at start-up (replicas serialise on an advisory lock).
   * Off: start-up refuses a schema with pending migrations; apply them with `pnpm migrate <service>`.
   */
  MIGRATE_ON_START: env.bool(true),
  ...env.kafka,
  ...env.inbox,
  /** Client id in broker logs and metrics. */
  KAFKA_CLIENT_ID: z.string().default('rider-dispatch'),
  ...env.redis,
  /** Prefix of every Redis key (tests and environments sharing a server); the gateway must agree. */
  REDIS_KEY_PREFIX: z.string().default(''),
  /** Names lease tokens and offers; default hostname-pid. Unique per replica. */
  REPLICA_ID: z
    .string()
    .regex(/^[A-Za-z0-9._-]+$/)
    .optional(),
  /** Outbox relay partitions; the same on every replica. */
  OUTBOX_PARTITIONS: env.positiveInt(8),
  /** Most outbox rows the relay publishes per Kafka send. */
  OUTBOX_BATCH_SIZE: env.positiveInt(500),
  /** Off when a separate deployment relays the outbox. */
  OUTBOX_RELAY_ENABLED: env.bool(true),

  /** Edge of the square zone grid; rounds and leases are per zone. */
  ZONE_SIZE_M: z.coerce.number().int().min(100).default(3_000),
  /** Riders within this distance of a zone's centre take part in its rounds (border riders serve both). */
  ZONE_RIDER_RADIUS_M: env.positiveInt(5_000),
  /** Waiting orders one zone round considers at most (oldest first). */
  MAX_ORDERS_PER_ROUND: env.positiveInt(1_000),
  /** Riders one zone round considers at most (nearest first). */
  MAX_RIDERS_PER_ROUND: env.positiveInt(2_000),
  /** Time between dispatch rounds of a zone (the batching window). */
  ROUND_INTERVAL_MS: env.intervalMs(5_000),
  /** optimized (batched min-cost matching, bundling, holding) or greedy (nearest available rider). */
  DISPATCH_STRATEGY: z.enum(['optimized', 'greedy']).default('optimized'),
  /**
   * How long delivered and cancelled orders and their answered offers are kept: longer than the
   * order topic's retention plus consumer lag, like INBOX_RETENTION_HOURS.
   */
  DISPATCH_RETENTION_HOURS: env.positiveInt(192),
  /** Straight-line speed of the travel model (5 m/s = 18 km/h, a city bike). */
  RIDER_SPEED_MPS: z.coerce.number().positive().default(5),
  /** How long a rider has to accept an offer before it goes to someone else. */
  OFFER_TIMEOUT_MS: env.intervalMs(30_000),
  /** Offers go out this much before the engine strictly needs the rider to leave (time to answer). */
  DISPATCH_COMMIT_SLACK_MS: env.durationMs(15_000),
  /** A declined or expired order is not offered to the same rider again for this long. */
  DECLINE_COOLDOWN_MS: env.durationMs(600_000),
  /** How often each replica expires offers nobody answered. */
  OFFER_SWEEP_INTERVAL_MS: env.intervalMs(1_000),
  /** Shift assumed when SetRiderOnline gives no shift_ends_at. */
  DEFAULT_SHIFT_MINUTES: env.positiveInt(480),

  /** Zone lease time: a dead replica's zones move to another within it (plus one acquisition tick). */
  LEASE_TTL_MS: z.coerce.number().int().min(1_000).default(10_000),

  /** A rider silent for this long disappears from rounds and tracking. */
  RIDER_POSITION_TTL_MS: env.intervalMs(60_000),
  /**
   * Judging pings written through this service (ReportPositions, SetRiderOnline) against the
   * rider's previous fix (ADR 0018): same meaning as the gateway's, which writes the app's pings.
   */
  RIDER_POSITION_CHECK: z.enum(POSITION_CHECKS).default('flag'),
  /** Fastest believable speed between two fixes (m/s); the gateway's should be the same. */
  RIDER_POSITION_MAX_SPEED_MPS: z.coerce.number().min(5).max(100).default(40),
  /** Namespace of the positions index (libs/rider-positions); the gateway must use the same. */
  RIDER_POSITIONS_NAMESPACE: z.string().default('rider-positions'),
  /** How often silent riders are removed from the spatial index. */
  POSITION_CLEANUP_INTERVAL_MS: env.intervalMs(10_000),

  /**
   * A rider without a fresh position for this long loses the orders they accepted but have not
   * picked up: they go back to waiting and the next round offers them again. Counted from the
   * last fix; silence shows once that fix is older than RIDER_POSITION_TTL_MS, so a value below
   * the TTL acts as the TTL. Also the silence after which a picked-up order counts in
   * mealpeak_dispatch_picked_up_silent_orders (alert MealpeakPickedUpOrderRiderSilent).
   */
  RIDER_SILENT_REASSIGN_MS: z.coerce.number().int().min(30_000).max(3_600_000).default(180_000),
  /**
   * Orders still not picked up this long after their rider's shift ended go back to waiting (the
   * engine plans pickups before the shift's end; this is the slack for a late kitchen).
   */
  RIDER_SHIFT_END_REASSIGN_MS: z.coerce.number().int().min(0).max(3_600_000).default(300_000),
  /** How often each replica looks for riders who are silent, leaving or off shift while holding orders. */
  RELEASE_SWEEP_INTERVAL_MS: z.coerce.number().int().min(1_000).max(600_000).default(10_000),
  /**
   * Where a rider may report a pickup or delivery from, judged by their latest fresh position
   * (ADR 0015): `flag` records how far they were in the published fact and the order's timeline
   * (`FAR_FROM_PICKUP`, `FAR_FROM_DROPOFF`); `enforce` also refuses a far one (409 `NOT_AT_PICKUP`,
   * `NOT_AT_DROPOFF`); `off` does neither. A rider without a fresh position is never refused.
   */
  HANDOVER_CHECK: z.enum(['off', 'flag', 'enforce']).default('flag'),
  /**
   * A handover within this distance of the restaurant (pickup) or the drop-off (delivery) is near;
   * the allowance grows by 8.3 m per second of the position's age (a rider at 30 km/h).
   */
  HANDOVER_MAX_DISTANCE_M: z.coerce.number().int().min(50).max(5_000).default(300),
});

export type Config = z.output<typeof configSchema>;
