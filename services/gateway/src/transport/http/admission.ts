import rateLimit from '@fastify/rate-limit';
import { finished } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Attr, metrics, type ObservableResult } from '@mealpeak/telemetry';
import type { Redis } from '@mealpeak/redis';
import type { Role } from '../../app/principal.ts';
import { identify } from './auth.ts';
import { clientAddressKey } from './client-address.ts';
import { overBudgetCache } from './over-budget.ts';
import { inFlightLimit, priorityOf, type Priority } from './priority.ts';
import { startPressureMonitor, type PressureSignal } from './pressure.ts';
import { Problems, ProblemError, sendRouteNotFound } from './problems.ts';
import './route-config.ts';

export interface AdmissionSettings {
  readonly maxInFlight: number;
  readonly maxInFlightPerClient: number;
  readonly maxEventLoopDelayMs: number;
  readonly maxEventLoopUtilization: number;
  readonly maxHeapUsedBytes: number;
  readonly retryAfterSeconds: number;
  /** How often the pressure monitor samples the process (tests shorten it). */
  readonly sampleIntervalMs: number;
  /** The monitor's heap reading; V8's used heap unless a test pins it. */
  readonly readHeapUsed?: () => number;
  readonly perMinute: Readonly<Record<Role | 'anonymous', number>>;
  readonly devTokensPerMinute: number;
  /** Shared counters across replicas; without it (tests, the OpenAPI script) they live in memory. */
  readonly redis: Redis | undefined;
}

const RATE_WINDOW_MS = 60_000;
/** Clients remembered as over their rate-limit budget, per replica (over-budget.ts). */
const OVER_BUDGET_ENTRIES = 100_000;

export const AdmissionMetric = {
  REFUSED: 'mealpeak.gateway.admission.refused',
  IN_FLIGHT: 'mealpeak.gateway.admission.in_flight',
  EVENT_LOOP_UTILIZATION: 'mealpeak.gateway.event_loop.utilization',
  EVENT_LOOP_DELAY: 'mealpeak.gateway.event_loop.delay',
  CONNECTIONS_DROPPED: 'mealpeak.gateway.connections.dropped',
} as const;

/** Values of Attr.ADMISSION_REASON. */
export type RefusalReason = PressureSignal | 'in_flight' | 'client_concurrency' | 'rate_limit';

const meter = metrics.getMeter('@mealpeak/gateway');
const refusals = meter.createCounter(AdmissionMetric.REFUSED, {
  description: 'Requests refused by admission control, by reason (mealpeak.admission.reason)',
});
const inFlightGauge = meter.createObservableGauge(AdmissionMetric.IN_FLIGHT, {
  description: 'Requests counted against MAX_IN_FLIGHT (body received, not answered yet)',
});
const utilizationGauge = meter.createObservableGauge(AdmissionMetric.EVENT_LOOP_UTILIZATION, {
  description: 'Event-loop utilisation over the last pressure sample interval (0-1)',
});
const delayGauge = meter.createObservableGauge(AdmissionMetric.EVENT_LOOP_DELAY, {
  unit: 'ms',
  description: 'Mean event-loop delay over the last pressure sample interval',
});

const droppedConnections = meter.createCounter(AdmissionMetric.CONNECTIONS_DROPPED, {
  description: 'Connections closed on accept because HTTP_MAX_CONNECTIONS were open',
});

/**
 * Caps the open connections (HTTP_MAX_CONNECTIONS): those above it are closed on accept, before
 * they cost more than their descriptor, and counted (behind an ingress, its idle keep-alive
 * connections to each replica count too: docs/operations.md).
 */
export function capConnections(app: FastifyInstance, max: number): void {
  app.server.maxConnections = max;
  app.server.on('drop', () => droppedConnections.add(1));
}

const refuse = (reason: RefusalReason, priority: Priority) =>
  refusals.add(1, { [Attr.ADMISSION_REASON]: reason, [Attr.ADMISSION_PRIORITY]: priority });

/** Who a request is for admission: its rate-limit key and its priority. */
interface Admission {
  /** The token subject when it verifies, else the client address (IPv6: its /64). */
  readonly key: string;
  readonly priority: Priority;
}

const admissions = new WeakMap<FastifyRequest, Admission>();

/** Worked out once per request (the JWT is verified once too: auth.ts caches it). */
async function admissionOf(request: FastifyRequest): Promise<Admission> {
  const known = admissions.get(request);
  if (known) return known;
  const identity = await identify(request);
  const admission: Admission = identity.ok
    ? {
        key: `${identity.principal.role}:${identity.principal.id}`,
        priority: priorityOf(request.routeOptions.config, identity.principal.role),
      }
    : {
        key: `ip:${clientAddressKey(request.ip)}`,
        priority: priorityOf(request.routeOptions.config, undefined),
      };
  admissions.set(request, admission);
  return admission;
}

const clientKey = async (request: FastifyRequest) => (await admissionOf(request)).key;

/** Routes with a budget of their own (the dev token issuer): not the global limit's refusals. */
const ownBudget = (request: FastifyRequest) => request.routeOptions.config.rateLimit !== undefined;

/** What admission holds right now (metrics and tests read it). */
export interface AdmissionState {
  /** Requests counted against MAX_IN_FLIGHT: those whose body is in and which are not answered yet. */
  inFlight(): number;
  /** Requests not answered yet, body still arriving or not, of one rate-limit key. */
  inFlightOf(clientKey: string): number;
  /** Clients this replica answers 429 from memory until their rate-limit window ends. */
  knownOverBudget(): number;
}

declare module 'fastify' {
  interface FastifyInstance {
    admission: AdmissionState;
  }
}

/**
 * Calls `release` once, when the response is over: finished, failed, or its client gone. Unlike a
 * 'close' listener, it also calls back at once for a response already closed (a client that went
 * away while an earlier hook awaited Redis or the body), so no slot is kept for ever.
 */
function whenDone(reply: FastifyReply, release: () => void): void {
  let done = false;
  finished(reply.raw, () => {
    if (done) return;
    done = true;
    release();
  });
}

/** A body announced and not read yet: answering early must close the connection, or it keeps arriving. */
const bodyAnnounced = (request: FastifyRequest) =>
  request.headers['transfer-encoding'] !== undefined ||
  (request.headers['content-length'] !== undefined && request.headers['content-length'] !== '0');

/**
 * Admission control, cheapest check first. Each request gets a priority (priority.ts: critical,
 * normal, sheddable) from its route and its token; the pressure and in-flight limits refuse the
 * sheddable first and the critical last (ADR 0020). In onRequest, before the body is read (a slow
 * client can take REQUEST_TIMEOUT_MS to send it):
 * 1. process pressure (pressure.ts): event-loop delay and utilisation, heap, by priority;
 * 2. a client this replica saw over its rate-limit budget is refused until its window ends,
 *    without asking Redis (over-budget.ts);
 * 3. per-client concurrency: requests not yet answered per rate-limit key (a client trickling
 *    bodies holds its own slots, not everyone's);
 * 4. @fastify/rate-limit: per-client budgets kept in Redis, shared by every replica;
 * 5. unknown routes are answered 404 here, their body never read.
 * Then in preHandler, once the body is in:
 * 6. in-flight cap: a hard bound on concurrent work, whatever the cause of slowness; the
 *    sheddable may fill 60% of it, the normal 85%, the critical all.
 * 1 and 6 answer 503 OVERLOADED, 3 429 CONCURRENCY_LIMITED, 2 and 4 429 RATE_LIMITED; all send
 * Retry-After. See docs/adr/0007-gateway-admission-and-idempotency.md and 0020.
 */
export async function registerAdmission(app: FastifyInstance, s: AdmissionSettings): Promise<void> {
  const pressure = startPressureMonitor(
    {
      maxEventLoopDelayMs: s.maxEventLoopDelayMs,
      maxEventLoopUtilization: s.maxEventLoopUtilization,
      maxHeapUsedBytes: s.maxHeapUsedBytes,
      sampleIntervalMs: s.sampleIntervalMs,
    },
    (err) => app.log.warn({ err }, 'pressure sample failed; keeping the previous one'),
    s.readHeapUsed,
  );
  let inFlight = 0;
  const observeInFlight = (r: ObservableResult) => r.observe(inFlight);
  const observeUtilization = (r: ObservableResult) => r.observe(pressure.last().eventLoopUtilization);
  const observeDelay = (r: ObservableResult) => r.observe(pressure.last().eventLoopDelayMs);
  inFlightGauge.addCallback(observeInFlight);
  utilizationGauge.addCallback(observeUtilization);
  delayGauge.addCallback(observeDelay);
  app.addHook('onClose', async () => {
    pressure.stop();
    inFlightGauge.removeCallback(observeInFlight);
    utilizationGauge.removeCallback(observeUtilization);
    delayGauge.removeCallback(observeDelay);
  });

  const perClient = new Map<string, number>();
  const overBudget = overBudgetCache(OVER_BUDGET_ENTRIES);
  /** The per-minute budget of a rate-limit key (`role:subject` or `ip:address`). */
  const limitOf = (key: string): number => {
    const role = key.slice(0, key.indexOf(':'));
    return s.perMinute[role === 'ip' ? 'anonymous' : (role as Role)];
  };
  app.decorate('admission', {
    inFlight: () => inFlight,
    inFlightOf: (key: string) => perClient.get(key) ?? 0,
    knownOverBudget: () => overBudget.size(),
  } satisfies AdmissionState);

  app.addHook('onRequest', async (request, reply) => {
    if (request.routeOptions.config.probe) return;
    const { key, priority } = await admissionOf(request);
    // Pressure before the over-budget memory: a flood answered 429 from memory still costs the
    // loop its parsing, and checked first it would leave the pressure refusals to everyone else.
    const signal = pressure.overloadedBy(priority);
    if (signal !== undefined) {
      refuse(signal, priority);
      throw new ProblemError(Problems.overloaded(s.retryAfterSeconds));
    }
    const refusedFor = ownBudget(request) ? undefined : overBudget.refusedFor(key);
    if (refusedFor !== undefined) {
      refuse('rate_limit', priority);
      const resetSeconds = Math.max(1, Math.ceil(refusedFor / 1000));
      // The headers @fastify/rate-limit sends with its own 429 (docs/api.md: every limited answer).
      reply.headers({
        'x-ratelimit-limit': limitOf(key),
        'x-ratelimit-remaining': 0,
        'x-ratelimit-reset': resetSeconds,
      });
      throw new ProblemError(Problems.rateLimited(resetSeconds));
    }
    const held = perClient.get(key) ?? 0;
    if (held >= s.maxInFlightPerClient) {
      refuse('client_concurrency', priority);
      throw new ProblemError(Problems.concurrencyLimited());
    }
    perClient.set(key, held + 1);
    whenDone(reply, () => {
      const left = (perClient.get(key) ?? 1) - 1;
      if (left > 0) perClient.set(key, left);
      else perClient.delete(key);
    });
  });

  // A refusal before the body was read (429, 503, 404 here): close the connection, or the body
  // keeps arriving on it and the client holds the socket (HTTP_MAX_CONNECTIONS) after its answer.
  app.addHook('onSend', async (request, reply) => {
    if (reply.statusCode >= 400 && bodyAnnounced(request) && !request.raw.complete)
      reply.header('connection', 'close');
  });

  const redis = s.redis;
  await app.register(rateLimit, {
    global: true,
    timeWindow: RATE_WINDOW_MS,
    keyGenerator: clientKey,
    max: (_request, key) => limitOf(key),
    ...(redis ? { redis, nameSpace: 'gateway:rl:' } : {}),
    // Redis down: serve unlimited rather than fail or queue. `allowList` skips a Redis we know is
    // away without waiting for its timeout; skipOnError covers failures the status did not show.
    skipOnError: true,
    allowList: () => redis !== undefined && redis.status !== 'ready',
    errorResponseBuilder: (request, context) => {
      const admission = admissions.get(request);
      refuse('rate_limit', admission?.priority ?? 'sheddable');
      if (admission && !ownBudget(request)) overBudget.remember(admission.key, context.ttl);
      return new ProblemError(Problems.rateLimited(Math.max(1, Math.ceil(context.ttl / 1000))));
    },
  });

  // Registered after the plugin, which adds its check to each route (the not-found handler's
  // runs only after the body): unknown routes are limited and answered here.
  const limitNotFound = app.rateLimit();
  app.addHook('onRequest', async (request, reply) => {
    if (!request.is404) return;
    await limitNotFound.call(app, request, reply);
    return sendRouteNotFound(request, reply);
  });

  app.addHook('preHandler', async (request, reply) => {
    if (request.routeOptions.config.probe) return;
    const { priority } = await admissionOf(request);
    if (inFlight >= inFlightLimit(priority, s.maxInFlight)) {
      refuse('in_flight', priority);
      throw new ProblemError(Problems.overloaded(s.retryAfterSeconds));
    }
    inFlight += 1;
    whenDone(reply, () => {
      inFlight -= 1;
    });
  });
}

/** Route config for the dev token issuer: its own budget, per client address. */
export const devTokenRateLimit = (perMinute: number) => ({
  max: perMinute,
  timeWindow: RATE_WINDOW_MS,
  keyGenerator: (request: FastifyRequest) => `ip:${clientAddressKey(request.ip)}`,
});
