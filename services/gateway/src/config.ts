import { env, z } from '@mealpeak/config';

/**
 * The only signing key that ships in the repository. Good for local runs and tests; start-up fails
 * with it when NODE_ENV=production (see the refinement below).
 */
export const DEV_JWT_SECRET = 'mealpeak-dev-only-secret-do-not-use-in-production';

const perMinute = (fallback: number) => env.positiveInt(fallback);

export const configSchema = z
  .object({
    ...env.serviceBase,
    OPS_PORT: env.port(9460),
    HTTP_PORT: env.port(8080),
    HTTP_HOST: z.string().default('0.0.0.0'),
    /** SO_REUSEPORT: several gateway processes on one host share the port (the replica mode). */
    HTTP_REUSE_PORT: env.bool(false),
    /** Trust X-Forwarded-For from the ingress, so per-IP limits see the client, not the proxy. */
    TRUST_PROXY: env.bool(false),
    ...env.redis,

    ORDER_GRPC_TARGET: z.string().min(1).default('127.0.0.1:50051'),
    MERCHANT_GRPC_TARGET: z.string().min(1).default('127.0.0.1:50052'),
    DISPATCH_GRPC_TARGET: z.string().min(1).default('127.0.0.1:50053'),
    GRPC_DEADLINE_MS: env.positiveInt(3_000),
    PLACE_ORDER_DEADLINE_MS: env.positiveInt(5_000),

    /** Whole-request budget (fastify handlerTimeout and requestTimeout): below mobile clients' 15-30 s. */
    REQUEST_TIMEOUT_MS: env.positiveInt(10_000),
    /** Socket inactivity limit; above REQUEST_TIMEOUT_MS so a timed-out request still gets its 504 body. */
    CONNECTION_TIMEOUT_MS: env.positiveInt(15_000),
    BODY_LIMIT_BYTES: env.positiveInt(64 * 1024),

    JWT_SECRET: z.string().min(32).default(DEV_JWT_SECRET),
    /** Unset: on everywhere except NODE_ENV=production, where it must stay off. */
    DEV_TOKENS_ENABLED: z.stringbool().optional(),

    IDEMPOTENCY_TTL_SECONDS: env.positiveInt(24 * 60 * 60),

    RATE_LIMIT_PER_MINUTE_CUSTOMER: perMinute(120),
    RATE_LIMIT_PER_MINUTE_MERCHANT: perMinute(600),
    RATE_LIMIT_PER_MINUTE_RIDER: perMinute(600),
    RATE_LIMIT_PER_MINUTE_OPS: perMinute(1_200),
    /** Requests without a valid token (401s, docs, unknown routes), counted per client IP. */
    RATE_LIMIT_PER_MINUTE_ANONYMOUS: perMinute(120),
    RATE_LIMIT_PER_MINUTE_DEV_TOKENS: perMinute(30),

    MAX_IN_FLIGHT: env.positiveInt(2_000),
    /** 0 turns the check off (the unit tests do: a saturated CI box must not look like overload). */
    MAX_EVENT_LOOP_DELAY_MS: env.durationMs(500),
    /** 0 turns the check off. */
    MAX_EVENT_LOOP_UTILIZATION: z.coerce.number().min(0).max(1).default(0.98),
    /** Unset: 90% of V8's heap limit, read at start-up. */
    MAX_HEAP_USED_BYTES: z.coerce.number().int().positive().optional(),
    /** Retry-After (seconds) on every 503 the gateway sends: shed load, unavailable upstream. */
    RETRY_AFTER_SECONDS: env.positiveInt(5),
  })
  .superRefine((c, ctx) => {
    const problem = (path: string, message: string) =>
      ctx.addIssue({ code: 'custom', path: [path], message });
    if (c.NODE_ENV === 'production') {
      if (c.JWT_SECRET === DEV_JWT_SECRET) problem('JWT_SECRET', 'set a real secret in production');
      if (c.DEV_TOKENS_ENABLED === true) problem('DEV_TOKENS_ENABLED', 'must be off in production');
    }
    // A gRPC call must end before the request does, or the client gets our timeout instead of the cause.
    for (const name of ['GRPC_DEADLINE_MS', 'PLACE_ORDER_DEADLINE_MS'] as const) {
      if (c[name] >= c.REQUEST_TIMEOUT_MS)
        problem(name, `must be below REQUEST_TIMEOUT_MS (${c.REQUEST_TIMEOUT_MS})`);
    }
    if (c.CONNECTION_TIMEOUT_MS <= c.REQUEST_TIMEOUT_MS) {
      problem('CONNECTION_TIMEOUT_MS', `must be above REQUEST_TIMEOUT_MS (${c.REQUEST_TIMEOUT_MS})`);
    }
  })
  .transform((c) => ({ ...c, DEV_TOKENS_ENABLED: c.DEV_TOKENS_ENABLED ?? c.NODE_ENV !== 'production' }));

export type Config = z.output<typeof configSchema>;
