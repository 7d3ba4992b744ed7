import { isIP } from 'node:net';
import { env, z } from '@mealpeak/config';
import { POSITION_CHECKS } from '@mealpeak/rider-positions';
import { estimatedEntropyBits, MIN_SECRET_BITS } from './secret-strength.ts';

/**
 * The only signing key that ships in the repository. Good for local runs and tests; start-up fails
 * with it when NODE_ENV=production (see the refinement below).
 */
export const DEV_JWT_SECRET = 'mealpeak-dev-only-secret-do-not-use-in-production';
/**
 * The dev cluster's key, once committed in deploy/values/dev.yaml: public, so refused in production
 * too (the dev cluster, which runs NODE_ENV=production, now gets its own at install).
 */
export const DEV_CLUSTER_JWT_SECRET = 'dev-cluster-jwt-secret-not-for-production-0001';

const perMinute = (fallback: number) => env.positiveInt(fallback);

/** fastify's trustProxy: false or the proxies' addresses (proxy-addr's keywords too). */
export type TrustProxy = false | readonly string[];
const PROXY_KEYWORDS = new Set(['loopback', 'linklocal', 'uniquelocal']);

function isAddressOrCidr(entry: string): boolean {
  if (PROXY_KEYWORDS.has(entry)) return true;
  const [address = '', bits, ...rest] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (bits === undefined) return true;
  const max = family === 4 ? 32 : 128;
  return /^\d{1,3}$/.test(bits) && Number(bits) <= max;
}

function parseTrustProxy(raw: string, ctx: z.RefinementCtx): TrustProxy {
  const value = raw.trim().toLowerCase();
  if (value === '' || value === 'false' || value === '0') return false;
  const fail = (message: string) => {
    ctx.addIssue({ code: 'custom', message });
    return z.NEVER;
  };
  if (value === 'true')
    return fail(
      'true would believe the left-most X-Forwarded-For address, which any client can forge; give the addresses or CIDRs of the proxies in front of the gateway',
    );
  // fastify 5 treats a hop count as "trust nothing" (it cannot check the nearest peer).
  if (/^\d+$/.test(value)) return fail("give the proxies' addresses or CIDRs, not a hop count");
  const entries = value.split(',').map((e) => e.trim());
  const bad = entries.filter((e) => !isAddressOrCidr(e));
  if (bad.length > 0)
    return fail(
      `not an address, CIDR or loopback/linklocal/uniquelocal: ${bad.map((b) => JSON.stringify(b.slice(0, 50))).join(', ')}`,
    );
  return entries;
}

export const configSchema = z
  .object({
    ...env.serviceBase,
    OPS_PORT: env.port(9460),
    /** Port of the REST API (and /docs, /healthz, /readyz). */
    HTTP_PORT: env.port(8080),
    /** Interface the REST API listens on; unset: LISTEN_HOST, like every other listener. */
    HTTP_HOST: z.string().min(1).optional(),
    /** SO_REUSEPORT: several gateway processes on one host share the port (the replica mode). */
    HTTP_REUSE_PORT: env.bool(false),
    /**
     * Which proxies' X-Forwarded-For to believe, so per-IP limits see the client, not the proxy:
     * `false` (none) or the proxies' addresses and CIDRs, comma-separated (`loopback`, `linklocal`,
     * `uniquelocal` stand for those ranges). The client is the nearest address not in the list.
     * `true` is refused: it believes the left-most address, which the client writes itself.
     */
    TRUST_PROXY: z.string().default('false').transform(parseTrustProxy),
    ...env.redis,
    /** Prefix of every Redis key (environments sharing a server, tests); rider-dispatch must agree. */
    REDIS_KEY_PREFIX: z.string().default(''),

    /** Order service; dns:///name:port balances over replicas. */
    ORDER_GRPC_TARGET: z.string().min(1).default('127.0.0.1:50051'),
    /** Merchant service; dns:///name:port balances over replicas. */
    MERCHANT_GRPC_TARGET: z.string().min(1).default('127.0.0.1:50052'),
    /** Rider-dispatch service; dns:///name:port balances over replicas. */
    DISPATCH_GRPC_TARGET: z.string().min(1).default('127.0.0.1:50053'),
    /** Deadline of every other gRPC call to the services; below REQUEST_TIMEOUT_MS. */
    GRPC_DEADLINE_MS: env.callDeadlineMs(3_000),
    /** Deadline of PlaceOrder (two hops: order and merchant service); below REQUEST_TIMEOUT_MS. */
    PLACE_ORDER_DEADLINE_MS: env.callDeadlineMs(5_000),

    /** Whole-request budget (fastify handlerTimeout and requestTimeout): below mobile clients' 15-30 s. */
    REQUEST_TIMEOUT_MS: env.intervalMs(10_000),
    /** Socket inactivity limit; above REQUEST_TIMEOUT_MS so a timed-out request still gets its 504 body. */
    CONNECTION_TIMEOUT_MS: env.intervalMs(15_000),
    /**
     * Time a client has to send the request line and headers; the connection is then answered
     * 408 and closed. Short, so connections that trickle headers (slowloris) cannot pile up;
     * capped at REQUEST_TIMEOUT_MS. Connections are checked every second.
     */
    HTTP_HEADERS_TIMEOUT_MS: env.intervalMs(5_000),
    /**
     * Open client connections above which new ones are closed at once (Node's server.maxConnections):
     * each is a file descriptor, and running out of them stops the process. Keep it well below the
     * pod's open-file limit (`ulimit -n`); behind an ingress that pools connections a few hundred are
     * in use. The ingress must also cap connections per client (docs/operations.md).
     */
    HTTP_MAX_CONNECTIONS: env.positiveInt(4_096),
    /** Largest request body accepted; bigger ones get 413 PAYLOAD_TOO_LARGE. */
    BODY_LIMIT_BYTES: env.positiveInt(64 * 1024),

    /**
     * HS256 key the JWTs are verified with (at least 32 characters). In production the committed
     * dev keys are refused, and so is a key under 128 bits by a rough estimate (length × log2 of
     * the smaller of its character classes' size and its number of different characters; see
     * src/secret-strength.ts): use `openssl rand -base64 48`.
     */
    JWT_SECRET: z.string().min(32).default(DEV_JWT_SECRET),
    /**
     * The `aud` tokens must name, and the dev token issuer writes (e.g. `mealpeak-api`). Unset:
     * `aud` is not checked (refusing tokens that name one would log out every user of an identity
     * provider that always writes it, on upgrade); set it in production.
     */
    JWT_AUDIENCE: z
      .string()
      .regex(/^[\x21-\x7e]{1,200}$/, '1-200 printable ASCII characters, no spaces')
      .optional(),
    /** Tokens valid for longer than this (exp - now) are refused, whoever signed them (1 min to 30 days). */
    JWT_MAX_TTL_SECONDS: z.coerce
      .number()
      .int()
      .min(60)
      .max(30 * 86_400)
      .default(86_400),
    /** Unset: on everywhere except NODE_ENV=production, where it must stay off. */
    DEV_TOKENS_ENABLED: z.stringbool().optional(),

    /** How long an Idempotency-Key and its stored 2xx response are kept (24 h). */
    IDEMPOTENCY_TTL_SECONDS: env.positiveInt(24 * 60 * 60),
    /**
     * How long a stored 4xx refusal is replayed (5 min: enough for an app's retries of a lost
     * answer); then the same key runs the request again. Short, as customers choose what a refusal
     * holds and how many they cause (docs/adr/0007).
     */
    IDEMPOTENCY_REFUSAL_TTL_SECONDS: env.positiveInt(5 * 60),
    /**
     * Largest 2xx body kept for replay (64 KiB: above any answer of the API, e.g. a 50-line
     * order whose item names are 200 4-byte characters); a larger one is not
     * kept and a retry runs again. 4xx bodies over 2 KiB are kept as code and short message.
     */
    IDEMPOTENCY_MAX_STORED_BYTES: env.positiveInt(64 * 1024),

    /**
     * The live positions index the gateway writes pings to (libs/rider-positions): same names and
     * defaults as in rider-dispatch, which reads it; both sides must agree (docs/dispatch-service.md).
     */
    RIDER_POSITIONS_NAMESPACE: z
      .string()
      .regex(/^[A-Za-z0-9._:-]+$/)
      .default('rider-positions'),
    /** A rider silent for this long disappears; older pings are dropped as stale. */
    RIDER_POSITION_TTL_MS: env.intervalMs(60_000),
    /**
     * Pings farther from the rider's previous fix than RIDER_POSITION_MAX_SPEED_MPS allows (plus
     * 250 m of GPS slack) are jumps (ADR 0018): `flag` counts them and still uses them; `enforce`
     * counts them and keeps the rider where they were (the app gets 202 with `implausible`), until
     * three agreeing fixes over 10 s confirm the new place; `off` does not judge. rider-dispatch,
     * which also writes pings, should use the same.
     */
    RIDER_POSITION_CHECK: z.enum(POSITION_CHECKS).default('flag'),
    /** Fastest believable speed between two fixes (m/s); 40 is a motorbike on an urban motorway. */
    RIDER_POSITION_MAX_SPEED_MPS: z.coerce.number().min(5).max(100).default(40),

    /** Requests per minute per customer (token subject); 429 with Retry-After beyond. */
    RATE_LIMIT_PER_MINUTE_CUSTOMER: perMinute(120),
    /** Requests per minute per merchant. */
    RATE_LIMIT_PER_MINUTE_MERCHANT: perMinute(600),
    /** A ping every ~5 s (12/min) plus offer polling and actions: well under 600 (docs/api.md). */
    RATE_LIMIT_PER_MINUTE_RIDER: perMinute(600),
    /** Requests per minute per ops user. */
    RATE_LIMIT_PER_MINUTE_OPS: perMinute(1_200),
    /** Requests without a valid token (401s, docs, unknown routes), counted per client IP. */
    RATE_LIMIT_PER_MINUTE_ANONYMOUS: perMinute(120),
    /** Dev tokens issued per minute per client address. */
    RATE_LIMIT_PER_MINUTE_DEV_TOKENS: perMinute(30),

    /** Requests in progress (body received) above which new ones are shed with 503 OVERLOADED. */
    MAX_IN_FLIGHT: env.positiveInt(2_000),
    /**
     * Requests of one client (token subject, else address) not yet answered, body still arriving
     * included, above which its next ones get 429 CONCURRENCY_LIMITED: what one client may hold
     * of this replica (pending requests, buffered bodies) whatever its rate budget.
     */
    MAX_IN_FLIGHT_PER_CLIENT: env.positiveInt(20),
    /** 0 turns the check off (the unit tests do: a saturated CI box must not look like overload). */
    MAX_EVENT_LOOP_DELAY_MS: env.durationMs(500),
    /** 0 turns the check off. */
    MAX_EVENT_LOOP_UTILIZATION: z.coerce.number().min(0).max(1).default(0.98),
    /** Heap in use above which new requests are shed with 503 OVERLOADED; unset: 90% of V8's heap limit. */
    MAX_HEAP_USED_BYTES: z.coerce.number().int().positive().optional(),
    /** Retry-After (seconds) on every 503 the gateway sends: shed load, unavailable upstream. */
    RETRY_AFTER_SECONDS: env.positiveInt(5),
  })
  .superRefine((c, ctx) => {
    const problem = (path: string, message: string) =>
      ctx.addIssue({ code: 'custom', path: [path], message });
    if (c.NODE_ENV === 'production') {
      if (c.JWT_SECRET === DEV_JWT_SECRET || c.JWT_SECRET === DEV_CLUSTER_JWT_SECRET)
        problem('JWT_SECRET', 'set a real secret in production (this one is in the repository)');
      // 32 characters of 'a' pass the length check; a random key has far more variety.
      else if (estimatedEntropyBits(c.JWT_SECRET) < MIN_SECRET_BITS)
        problem(
          'JWT_SECRET',
          `looks hand-made (under ${MIN_SECRET_BITS} bits by src/secret-strength.ts): use 32+ random bytes, e.g. openssl rand -base64 48`,
        );
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
