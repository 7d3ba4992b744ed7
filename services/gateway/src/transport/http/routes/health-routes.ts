import type { FastifyInstance } from 'fastify';

/**
 * Liveness and readiness on the traffic port too (the ops port has the same pair), for load
 * balancers that can only probe the port they route to. Never shed, rate limited or traced.
 */
export function registerHealthRoutes(app: FastifyInstance, isReady: () => boolean): void {
  const config = { probe: true, rateLimit: false as const, otel: false };
  const schema = { hide: true };
  app.get('/healthz', { config, schema }, async () => ({ status: 'ok' }));
  app.get('/readyz', { config, schema }, async (_request, reply) =>
    isReady() ? { status: 'ok' } : reply.code(503).send({ status: 'unavailable' }),
  );
}
