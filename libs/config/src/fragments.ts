import { z } from 'zod';

/** Reusable schema pieces, keyed by environment variable, with defaults that run locally as-is. */

export const port = (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback);
export const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);
export const durationMs = (fallback: number) => z.coerce.number().int().min(0).default(fallback);
export const bool = (fallback: boolean) => z.stringbool().default(fallback);
export const csv = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((s) =>
      s
        .split(',')
        .map((p) => p.trim())
        .filter((p) => p.length > 0),
    )
    .pipe(z.array(z.string()).min(1, 'needs at least one entry'));

export const logLevel = z
  .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  .default('info');

export const serviceBase = {
  /** development, test or production; production refuses development-only defaults. */
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  /** pino level: fatal, error, warn, info, debug, trace or silent. */
  LOG_LEVEL: logLevel,
  /** Port of the operations HTTP server: /healthz, /readyz, /metrics. */
  OPS_PORT: port(0),
  /** Time allowed for a graceful shutdown before the process exits anyway. */
  SHUTDOWN_TIMEOUT_MS: durationMs(20_000),
  /** Wait after readiness turns false before closing listeners (Kubernetes: let endpoints update). */
  SHUTDOWN_DRAIN_DELAY_MS: durationMs(0),
};

export const postgres = {
  /** PostgreSQL connection URL; each service uses its own schema in this database. */
  PG_URL: z
    .url({ protocol: /^postgres(ql)?$/ })
    .default('postgres://mealpeak:mealpeak@127.0.0.1:55432/mealpeak'),
  /** Connections per replica; replicas x this must stay below the server's max_connections. */
  PG_POOL_MAX: positiveInt(10),
  /** Statements running longer are cancelled by the server, so none holds a pool slot for long. */
  PG_STATEMENT_TIMEOUT_MS: durationMs(5_000),
};

export const inbox = {
  /**
   * How long the inbox remembers an applied event: longer than the topics' retention (the
   * broker's default, 7 days) plus consumer lag, so no redelivery outlives its claim.
   */
  INBOX_RETENTION_HOURS: positiveInt(192),
  /** How often each replica deletes inbox rows older than INBOX_RETENTION_HOURS. */
  INBOX_PURGE_INTERVAL_MS: durationMs(600_000),
};

export const redis = {
  /** Redis for hot state (rate limits, idempotency keys, rider positions, zone leases). */
  REDIS_URL: z.url({ protocol: /^rediss?$/ }).default('redis://127.0.0.1:56379'),
};

export const kafka = {
  /** Comma-separated Kafka bootstrap servers. */
  KAFKA_BROKERS: csv('127.0.0.1:59092'),
  /** Prepended to every topic name (environments sharing a cluster; isolated tests). */
  KAFKA_TOPIC_PREFIX: z
    .string()
    .regex(/^[a-zA-Z0-9._-]*$/)
    .default(''),
};
