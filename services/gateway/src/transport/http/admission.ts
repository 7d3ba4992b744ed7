import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Redis } from '@mealpeak/redis';
import type { Role } from '../../app/principal.ts';
import { identify } from './auth.ts';
import { clientAddressKey } from './client-address.ts';
import { startPressureMonitor } from './pressure.ts';
import { Problems, ProblemError } from './problems.ts';
import './route-config.ts';

export interface AdmissionSettings {
  readonly maxInFlight: number;
  readonly maxEventLoopDelayMs: number;
  readonly maxEventLoopUtilization: number;
  readonly maxHeapUsedBytes: number;
  readonly retryAfterSeconds: number;
  /** How often the pressure monitor samples the process (tests shorten it). */
  readonly sampleIntervalMs: number;
  readonly perMinute: Readonly<Record<Role | 'anonymous', number>>;
  readonly devTokensPerMinute: number;
  /** Shared counters across replicas; without it (tests, the OpenAPI script) they live in memory. */
  readonly redis: Redis | undefined;
}

const RATE_WINDOW_MS = 60_000;

/** Rate-limit key: the token subject when it verifies, else the client address (IPv6: its /64). */
async function clientKey(request: FastifyRequest): Promise<string> {
  const identity = await identify(request);
  return identity.ok
    ? `${identity.principal.role}:${identity.principal.id}`
    : `ip:${clientAddressKey(request.ip)}`;
}

/**
 * Admission control, cheapest check first, all in onRequest (before the body is read):
 * 1. in-flight cap: a hard bound on concurrent work, whatever the cause of slowness;
 * 2. process pressure (pressure.ts): event-loop delay and utilisation, heap;
 * 3. @fastify/rate-limit: per-client budgets kept in Redis, shared by every replica.
 * 1 and 2 answer 503 OVERLOADED, 3 answers 429 RATE_LIMITED; all send Retry-After.
 * See docs/adr/0007-gateway-admission-and-idempotency.md.
 */
export async function registerAdmission(app: FastifyInstance, s: AdmissionSettings): Promise<void> {
  let inFlight = 0;
  app.addHook('onRequest', async (request, reply) => {
    if (request.routeOptions.config.probe) return;
    if (inFlight >= s.maxInFlight) throw new ProblemError(Problems.overloaded(s.retryAfterSeconds));
    inFlight += 1;
    // 'close' fires once whether the response finished or the client went away.
    reply.raw.once('close', () => {
      inFlight -= 1;
    });
  });

  const pressure = startPressureMonitor(
    {
      maxEventLoopDelayMs: s.maxEventLoopDelayMs,
      maxEventLoopUtilization: s.maxEventLoopUtilization,
      maxHeapUsedBytes: s.maxHeapUsedBytes,
      sampleIntervalMs: s.sampleIntervalMs,
    },
    (err) => app.log.warn({ err }, 'pressure sample failed; keeping the previous one'),
  );
  app.addHook('onClose', async () => pressure.stop());
  app.addHook('onRequest', async (request) => {
    if (request.routeOptions.config.probe) return;
    if (pressure.overloadedBy() !== undefined)
      throw new ProblemError(Problems.overloaded(s.retryAfterSeconds));
  });

  const redis = s.redis;
  await app.register(rateLimit, {
    global: true,
    timeWindow: RATE_WINDOW_MS,
    keyGenerator: clientKey,
    max: (_request, key) => {
      const role = key.slice(0, key.indexOf(':'));
      return s.perMinute[role === 'ip' ? 'anonymous' : (role as Role)];
    },
    ...(redis ? { redis, nameSpace: 'gateway:rl:' } : {}),
    // Redis down: serve unlimited rather than fail or queue. `allowList` skips a Redis we know is
    // away without waiting for its timeout; skipOnError covers failures the status did not show.
    skipOnError: true,
    allowList: () => redis !== undefined && redis.status !== 'ready',
    errorResponseBuilder: (_request, context) =>
      new ProblemError(Problems.rateLimited(Math.max(1, Math.ceil(context.ttl / 1000)))),
  });
}

/** Route config for the dev token issuer: its own budget, per client address. */
export const devTokenRateLimit = (perMinute: number) => ({
  max: perMinute,
  timeWindow: RATE_WINDOW_MS,
  keyGenerator: (request: FastifyRequest) => `ip:${clientAddressKey(request.ip)}`,
});
