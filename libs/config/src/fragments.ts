import { z } from 'zod';

/** Reusable schema pieces, keyed by environment variable, with defaults that run locally as-is. */

export const port = (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback);
export const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);
/** The longest delay a Node timer takes; a longer one fires after 1 ms (a busy loop, or no wait). */
export const MAX_TIMER_MS = 2_147_483_647;
/** A duration where 0 means something (off, no wait); at most MAX_TIMER_MS. */
export const durationMs = (fallback: number) =>
  z.coerce.number().int().min(0).max(MAX_TIMER_MS).default(fallback);
/** A period, deadline or timeout: 0 would spin a loop or fail every call; at most MAX_TIMER_MS. */
export const intervalMs = (fallback: number, min = 1) =>
  z.coerce.number().int().min(min).max(MAX_TIMER_MS).default(fallback);
/**
 * The longest deadline of a call between our services. A gRPC server closes each connection after
 * its maximum age and lets the calls on it finish for this long (libs/grpc max_connection_age_grace_ms),
 * so a longer call could be cut mid-way.
 */
export const MAX_CALL_DEADLINE_MS = 30_000;
/** The deadline of a call to another service: at most MAX_CALL_DEADLINE_MS. */
export const callDeadlineMs = (fallback: number) =>
  z.coerce.number().int().min(1).max(MAX_CALL_DEADLINE_MS).default(fallback);
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
  /**
   * Interface of the operations server and of a gRPC service's server: every one in a pod (probes
   * and peers come from outside it); 127.0.0.1 on a shared host (the local platform, load tests).
   */
  LISTEN_HOST: z.string().min(1).default('0.0.0.0'),
  /** Time allowed for a graceful shutdown before the process exits anyway (at least 1 s). */
  SHUTDOWN_TIMEOUT_MS: intervalMs(20_000, 1_000),
  /**
   * Wait after readiness turns false before closing listeners (Kubernetes: let endpoints update);
   * part of SHUTDOWN_TIMEOUT_MS, so it must be shorter.
   */
  SHUTDOWN_DRAIN_DELAY_MS: durationMs(0),
  /**
   * Shared secret of the platform's gRPC calls: every client sends it, every gRPC server refuses a
   * call without it (UNAUTHENTICATED), so only the platform's own services can call each other.
   * At least 32 characters; required when NODE_ENV=production; unset: no check (local runs).
   */
  GRPC_INTERNAL_TOKEN: z.string().min(32).optional(),
  /**
   * During a rotation of GRPC_INTERNAL_TOKEN: the old value, still accepted by the gRPC servers
   * (clients send the current one). Roll out new + previous, then drop previous.
   */
  GRPC_INTERNAL_TOKEN_PREVIOUS: z.string().min(32).optional(),
};

export const postgres = {
  /** PostgreSQL connection URL; each service uses its own schema in this database. */
  PG_URL: z
    .url({ protocol: /^postgres(ql)?$/ })
    .refine(
      (url) => new URL(url).hostname !== '',
      'needs a host: postgres://user:password@host:port/database',
    )
    .default('postgres://mealpeak:mealpeak@127.0.0.1:55432/mealpeak'),
  /**
   * Connections per replica (at least 2: migrations hold one for their lock and run on another);
   * replicas x this must stay below the server's max_connections.
   */
  PG_POOL_MAX: z.coerce.number().int().min(2).default(10),
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
  INBOX_PURGE_INTERVAL_MS: intervalMs(600_000),
};

export const redis = {
  /** Redis for hot state (rate limits, idempotency keys, rider positions, zone leases). */
  REDIS_URL: z.url({ protocol: /^rediss?$/ }).default('redis://127.0.0.1:56379'),
};

export const kafka = {
  /** Comma-separated Kafka bootstrap servers, each host:port. */
  KAFKA_BROKERS: csv('127.0.0.1:59092').pipe(
    z.array(z.string().regex(/^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9._-]+):\d{1,5}$/, 'each broker is host:port')),
  ),
  /** Prepended to every topic name (environments sharing a cluster; isolated tests). */
  KAFKA_TOPIC_PREFIX: z
    .string()
    .regex(/^[a-zA-Z0-9._-]*$/)
    .default(''),
};

/** Variables whose defaults point at this machine's development servers; production sets them. */
export const LOCAL_DEFAULTS: readonly string[] = ['PG_URL', 'REDIS_URL', 'KAFKA_BROKERS'];

/**
 * Rules across variables of the fragments above, for whichever of them a service's schema has:
 * the drain delay is spent inside the shutdown budget, and production never runs on a default that
 * points at 127.0.0.1 (an empty value in a Secret would otherwise do exactly that, quietly).
 */
export function crossProblems(
  config: Readonly<Record<string, unknown>>,
  set: (name: string) => boolean,
): string[] {
  const problems: string[] = [];
  const timeout = config['SHUTDOWN_TIMEOUT_MS'];
  const drain = config['SHUTDOWN_DRAIN_DELAY_MS'];
  if (typeof timeout === 'number' && typeof drain === 'number' && drain >= timeout)
    problems.push(
      `SHUTDOWN_DRAIN_DELAY_MS: must be shorter than SHUTDOWN_TIMEOUT_MS (${timeout}), which it is part of (got ${drain})`,
    );
  if (config['NODE_ENV'] === 'production' && !set('GRPC_INTERNAL_TOKEN'))
    problems.push(
      "GRPC_INTERNAL_TOKEN: must be set when NODE_ENV=production (without it any pod could call the services' gRPC APIs)",
    );
  if (config['NODE_ENV'] === 'production')
    for (const name of LOCAL_DEFAULTS)
      if (name in config && !set(name))
        problems.push(
          `${name}: must be set when NODE_ENV=production (the default is a local development server)`,
        );
  return problems;
}
