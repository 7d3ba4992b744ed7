import { getHeapStatistics } from 'node:v8';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from '@mealpeak/telemetry';
import type { Redis } from '@mealpeak/redis';
import type { Config } from './config.ts';
import { createOrderUseCases } from './app/order-use-cases.ts';
import { createPositionUseCases } from './app/position-use-cases.ts';
import type { IdempotencyStore, Ports } from './app/ports.ts';
import { capConnections, registerAdmission } from './transport/http/admission.ts';
import { registerAuth } from './transport/http/auth.ts';
import { createClientErrorHandler } from './transport/http/client-error.ts';
import { registerErrorHandling } from './transport/http/error-handler.ts';
import { registerIdempotency } from './transport/http/idempotency.ts';
import { registerOpenApi } from './transport/http/openapi.ts';
import { ProblemError, Problems, sendProblem } from './transport/http/problems.ts';
import { registerRequestContext, requestIdOf } from './transport/http/request-context.ts';
import { customerRoutes } from './transport/http/routes/customer-routes.ts';
import { devTokenRoutes } from './transport/http/routes/dev-token-routes.ts';
import { registerHealthRoutes } from './transport/http/routes/health-routes.ts';
import { merchantRoutes } from './transport/http/routes/merchant-routes.ts';
import { opsRoutes } from './transport/http/routes/ops-routes.ts';
import { riderRoutes } from './transport/http/routes/rider-routes.ts';
import { registerTracing } from './transport/http/tracing.ts';
import { refuseUndeclaredQueries, validatorCompiler } from './transport/http/validation.ts';

export interface AppDeps {
  readonly config: Readonly<Config>;
  readonly logger: Logger;
  readonly ports: Ports;
  readonly idempotency: IdempotencyStore;
  /** Rate-limit counters shared by replicas; in process memory when absent (tests, OpenAPI script). */
  readonly rateLimitRedis?: Redis;
  readonly isReady?: () => boolean;
  /** Test knobs: how often load is sampled and a pending Idempotency-Key is looked at again. */
  readonly pressureSampleIntervalMs?: number;
  /** The heap reading the pressure monitor takes (tests pin it). */
  readonly readHeapUsed?: () => number;
  readonly idempotencyPollIntervalMs?: number;
}

/** The gateway as a fastify instance, not listening: main.ts listens, tests use inject(). */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const c = deps.config;
  // Seen as fastify's logger type, so the instance type is the plain FastifyInstance plugins expect.
  const logger: FastifyBaseLogger = deps.logger;
  const headersTimeoutMs = Math.min(c.HTTP_HEADERS_TIMEOUT_MS, c.REQUEST_TIMEOUT_MS);
  const app = Fastify({
    loggerInstance: logger,
    // Our own single line per request instead of fastify's two, see request-context.ts.
    logController: new LogController({ disableRequestLogging: true, requestIdLogLabel: 'requestId' }),
    genReqId: requestIdOf,
    bodyLimit: c.BODY_LIMIT_BYTES,
    handlerTimeout: c.REQUEST_TIMEOUT_MS,
    requestTimeout: c.REQUEST_TIMEOUT_MS,
    connectionTimeout: c.CONNECTION_TIMEOUT_MS,
    // Passed to http.createServer. Node enforces headersTimeout (and requestTimeout) only when it
    // checks its connections, every 30 s by default: a slowloris connection would live that long.
    // (Node refuses a headers timeout above the request timeout.)
    http: {
      headersTimeout: headersTimeoutMs,
      connectionsCheckingInterval: Math.min(1_000, headersTimeoutMs),
    },
    trustProxy: c.TRUST_PROXY === false ? false : [...c.TRUST_PROXY],
    // Raised before routing (malformed percent-encoding, over-long path parameter): same error shape.
    frameworkErrors: (error, request, reply) => {
      void sendProblem(request, reply, Problems.clientError(error.statusCode ?? 400, error.message));
    },
    // Refused by Node's HTTP parser before fastify sees a request (oversized headers, bad method).
    clientErrorHandler: createClientErrorHandler(logger),
  });

  capConnections(app, c.HTTP_MAX_CONNECTIONS);
  await registerTracing(app);
  app.setValidatorCompiler(validatorCompiler);
  refuseUndeclaredQueries(app);
  // Order and offer ids are UUIDs, which the API accepts in either case (docs/api.md); the
  // services store and compare them in lower case (dispatch keys orders by text).
  app.addHook('preHandler', async (request) => {
    const params = request.params as Record<string, unknown> | undefined;
    for (const name of ['orderId', 'offerId'])
      if (typeof params?.[name] === 'string') params[name] = params[name].toLowerCase();
  });
  // JSON only: a text/plain body is a 415, not a string handed to a handler expecting an object.
  app.removeContentTypeParser('text/plain');
  // An empty body labelled application/json (what many HTTP client libraries send for a POST
  // without data) is no body, as if no Content-Type had come: the body-less actions (accept, ready,
  // picked-up...) take it; where a body is required, validation says so. Anything else goes to
  // fastify's own parser, prototype-poisoning checks included.
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    // A gzip (or other) encoded body would otherwise be read as broken JSON: say what is wrong.
    const encoding = request.headers['content-encoding']?.trim().toLowerCase();
    if (encoding && encoding !== 'identity') {
      done(new ProblemError(Problems.unsupportedEncoding(encoding)), undefined);
      return;
    }
    const text = body.toString();
    if (!/\S/.test(text))
      done(null, undefined); // stops at the first non-blank: no copy of the body
    else void parseJson(request, text, done);
  });

  // Order matters: hooks run in registration order, and swagger and the auth guard must see
  // every route, so all of this comes before the first route.
  registerRequestContext(app, c.REQUEST_TIMEOUT_MS);
  await registerAdmission(app, {
    maxInFlight: c.MAX_IN_FLIGHT,
    maxInFlightPerClient: c.MAX_IN_FLIGHT_PER_CLIENT,
    maxEventLoopDelayMs: c.MAX_EVENT_LOOP_DELAY_MS,
    maxEventLoopUtilization: c.MAX_EVENT_LOOP_UTILIZATION,
    maxHeapUsedBytes: c.MAX_HEAP_USED_BYTES ?? Math.floor(getHeapStatistics().heap_size_limit * 0.9),
    retryAfterSeconds: c.RETRY_AFTER_SECONDS,
    sampleIntervalMs: deps.pressureSampleIntervalMs ?? 1_000,
    ...(deps.readHeapUsed ? { readHeapUsed: deps.readHeapUsed } : {}),
    perMinute: {
      customer: c.RATE_LIMIT_PER_MINUTE_CUSTOMER,
      merchant: c.RATE_LIMIT_PER_MINUTE_MERCHANT,
      rider: c.RATE_LIMIT_PER_MINUTE_RIDER,
      ops: c.RATE_LIMIT_PER_MINUTE_OPS,
      anonymous: c.RATE_LIMIT_PER_MINUTE_ANONYMOUS,
    },
    devTokensPerMinute: c.RATE_LIMIT_PER_MINUTE_DEV_TOKENS,
    redis: deps.rateLimitRedis,
  });
  registerErrorHandling(app, {
    bodyLimitBytes: c.BODY_LIMIT_BYTES,
    retryAfterSeconds: c.RETRY_AFTER_SECONDS,
  });
  await registerAuth(app, c.JWT_SECRET, c.JWT_MAX_TTL_SECONDS, c.JWT_AUDIENCE);
  registerIdempotency(app, {
    store: deps.idempotency,
    ttlMs: c.IDEMPOTENCY_TTL_SECONDS * 1_000,
    refusalTtlMs: c.IDEMPOTENCY_REFUSAL_TTL_SECONDS * 1_000,
    maxStoredBytes: c.IDEMPOTENCY_MAX_STORED_BYTES,
    // Outlives any request (handlerTimeout), so only a crashed owner leaves a key to expire.
    lockTtlMs: c.REQUEST_TIMEOUT_MS + 5_000,
    pollIntervalMs: deps.idempotencyPollIntervalMs ?? 50,
  });
  await registerOpenApi(app);

  registerHealthRoutes(app, deps.isReady ?? (() => true));
  const routeDeps = {
    orders: createOrderUseCases(deps.ports),
    merchants: deps.ports.merchants,
    dispatch: deps.ports.dispatch,
    positions: createPositionUseCases(deps.ports.positions),
    retryAfterSeconds: c.RETRY_AFTER_SECONDS,
  };
  await app.register(customerRoutes(routeDeps), { prefix: '/v1' });
  await app.register(merchantRoutes(routeDeps), { prefix: '/v1/merchant' });
  await app.register(riderRoutes(routeDeps), { prefix: '/v1/rider' });
  await app.register(opsRoutes(routeDeps), { prefix: '/v1/ops' });
  if (c.DEV_TOKENS_ENABLED)
    await app.register(devTokenRoutes(c.RATE_LIMIT_PER_MINUTE_DEV_TOKENS), { prefix: '/v1/dev' });
  return app;
}
