import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { RouteDeps } from './route-kit.ts';

/**
 * /v1/rider/*: reserved for the rider endpoints of the dispatch issue (going online, position
 * pings, offers, pickup and delivery over DispatchService; DISPATCH_GRPC_TARGET is already in the
 * config). Add them here with `config: { auth: ['rider'] }` (a /v1 route without auth fails the
 * start-up) and `idempotency: 'optional'` on the non-idempotent POSTs, then `pnpm openapi`.
 */
export function riderRoutes(_deps: RouteDeps): FastifyPluginAsyncTypebox {
  return async () => {};
}
