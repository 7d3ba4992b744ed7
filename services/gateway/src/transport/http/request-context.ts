import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { FastifyInstance } from 'fastify';
import { Attr, metrics } from '@mealpeak/telemetry';
import './route-config.ts';

const SANE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** A caller's x-request-id is kept when it is a plain token (it lands in logs), else we make one. */
export function requestIdOf(req: IncomingMessage): string {
  const incoming = req.headers['x-request-id'];
  return typeof incoming === 'string' && SANE_REQUEST_ID.test(incoming) ? incoming : randomUUID();
}

/** Time kept back from the request budget to turn a downstream failure into a response. */
const ANSWER_MARGIN_MS = 250;

const meter = metrics.getMeter('@mealpeak/gateway');
const duration = meter.createHistogram('http.server.request.duration', {
  unit: 's',
  description: 'Duration of HTTP requests served by the gateway',
});

/** Problem codes of admission control: the gateway protecting itself, counted by the metric. */
const SHEDDING = new Set(['OVERLOADED', 'RATE_LIMITED', 'CONCURRENCY_LIMITED']);

type Level = 'debug' | 'info' | 'warn' | 'error';

/**
 * The level of a request's log line: debug for successes and admission refusals (429, 503
 * OVERLOADED: one line each would add load exactly when the process has none to spare), info for
 * other 4xx, error for 502 (a platform fault between the services: a wrong GRPC_INTERNAL_TOKEN,
 * grpc-js refusing a message), warn for other 5xx, a service behind the gateway unavailable (503
 * UPSTREAM_UNAVAILABLE, or its own code) or too slow (504) among them.
 */
export function logLevelOf(status: number, code: string | undefined): Level {
  if (status < 400) return 'debug';
  if (code !== undefined ? SHEDDING.has(code) : status === 429) return 'debug';
  if (status < 500) return 'info';
  return status === 502 ? 'error' : 'warn';
}

/**
 * Request id header, deadline, and the one log line per request (level: logLevelOf), with the
 * problem code answered. Paths are logged without the query string, which holds customers'
 * coordinates.
 */
export function registerRequestContext(app: FastifyInstance, requestTimeoutMs: number): void {
  app.decorateRequest('deadline', null as unknown as Date);
  app.decorateRequest('problem', null);

  app.addHook('onRequest', async (request, reply) => {
    request.deadline = new Date(Date.now() + requestTimeoutMs - ANSWER_MARGIN_MS);
    reply.header('x-request-id', request.id);
  });

  app.addHook('onResponse', async (request, reply) => {
    const status = reply.statusCode;
    const route = request.routeOptions.url;
    duration.record(reply.elapsedTime / 1000, {
      'http.request.method': request.method,
      'http.route': route ?? 'unmatched',
      'http.response.status_code': status,
      // Tells a 503 the gateway chose (OVERLOADED) from one it relays (UPSTREAM_UNAVAILABLE...).
      ...(request.problem ? { [Attr.ERROR_CODE]: request.problem.code } : {}),
    });
    if (request.routeOptions.config.probe) return;
    const line = {
      method: request.method,
      path: request.url.split('?', 1)[0],
      route,
      status,
      ms: Math.round(reply.elapsedTime),
      role: request.principal?.role,
      ...(request.problem ?? {}),
    };
    request.log[logLevelOf(status, request.problem?.code)](line, 'request');
  });
}
