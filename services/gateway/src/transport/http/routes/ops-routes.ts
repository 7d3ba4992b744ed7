import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { principalOf } from '../auth.ts';
import { COMMON_ERRORS, errorResponses, IdempotencyHeaders, OrderIdParam, ref } from '../schemas/common.ts';
import { DispatchStatus } from '../schemas/dispatch-status.ts';
import { CountsQuery, OpsCancelBody, Order, OrderCounts, Timeline } from '../schemas/orders.ts';
import { countsJson, dispatchStatusJson, orderJson, timelineEntryJson } from '../to-json.ts';
import { ctxOf, failWith, type RouteDeps } from './route-kit.ts';

const ops = { auth: ['ops'] as const };
const tags = ['ops'];

/**
 * Ops endpoints under /v1/ops: any order, where it stands in dispatch, order counts by state,
 * cancelling any unfinished order.
 */
export function opsRoutes({ orders, dispatch, retryAfterSeconds }: RouteDeps): FastifyPluginAsyncTypebox {
  const fail = failWith(retryAfterSeconds);
  return async (app) => {
    app.get(
      '/orders/counts',
      {
        config: ops,
        schema: {
          tags,
          summary: 'Orders per state, platform-wide or for one merchant',
          description:
            'Orders in a live state (PLACED to PICKED_UP) are counted whatever their age; finished ones (DELIVERED, REJECTED, CANCELLED) only when placed at or after `since`: by default the last 24 hours, at most 7 days back (400 INVALID_ARGUMENT with a field error on `since` otherwise).',
          querystring: CountsQuery,
          response: { 200: ref(OrderCounts, 'Counts for every state'), ...errorResponses(...COMMON_ERRORS) },
        },
      },
      async (request, reply) => {
        const { merchantId, since } = request.query;
        const res = await orders.countByState(
          merchantId,
          since ? new Date(since) : undefined,
          ctxOf(request),
        );
        if (!res.ok) return fail(request, reply, res.error);
        return {
          ...(merchantId ? { merchantId } : {}),
          counts: countsJson(res.value.counts),
          ...(res.value.since ? { since: res.value.since.toISOString() } : {}),
        };
      },
    );

    app.get(
      '/orders/:orderId',
      {
        config: ops,
        schema: {
          tags,
          summary: 'Any order by id',
          params: OrderIdParam,
          response: { 200: ref(Order, 'The order'), ...errorResponses(...COMMON_ERRORS, 404) },
        },
      },
      async (request, reply) => {
        const res = await orders.get(principalOf(request), request.params.orderId, ctxOf(request));
        return res.ok ? orderJson(res.value) : fail(request, reply, res.error);
      },
    );

    app.get(
      '/orders/:orderId/timeline',
      {
        config: ops,
        schema: {
          tags,
          summary: 'State changes of any order, with the acting ids',
          params: OrderIdParam,
          response: {
            200: ref(Timeline, 'The timeline, with actor ids'),
            ...errorResponses(...COMMON_ERRORS, 404),
          },
        },
      },
      async (request, reply) => {
        const res = await orders.timeline(principalOf(request), request.params.orderId, ctxOf(request));
        if (!res.ok) return fail(request, reply, res.error);
        return { entries: res.value.map((e) => timelineEntryJson(e, true)) };
      },
    );

    app.get(
      '/orders/:orderId/dispatch',
      {
        config: ops,
        schema: {
          tags,
          summary: 'Where any order stands in dispatch: waiting, offered to whom until when, its rider',
          description:
            'Read from the dispatch service alone. 404 ORDER_NOT_FOUND when dispatch has no record of the order: it sees orders once the merchant accepts them, and forgets finished ones after its retention (8 days); GET /v1/ops/orders/{orderId} tells which. 503 UPSTREAM_UNIMPLEMENTED while the dispatch service runs a release from before this endpoint.',
          params: OrderIdParam,
          response: {
            200: ref(DispatchStatus, 'What dispatch knows of the order'),
            ...errorResponses(...COMMON_ERRORS, 404),
          },
        },
      },
      async (request, reply) => {
        // Ops see every order: no ownership to settle first, dispatch answers for any id.
        const res = await dispatch.getDispatchStatus(request.params.orderId, ctxOf(request));
        return res.ok ? dispatchStatusJson(res.value) : fail(request, reply, res.error);
      },
    );

    app.post(
      '/orders/:orderId/cancel',
      {
        config: { ...ops, idempotency: 'optional', priority: 'critical' },
        schema: {
          tags,
          summary: 'Cancel any order that is not finished yet',
          description:
            'Any state but DELIVERED, REJECTED and CANCELLED; otherwise 409 ILLEGAL_TRANSITION. The customer is refunded.',
          headers: IdempotencyHeaders(false),
          params: OrderIdParam,
          body: OpsCancelBody,
          response: {
            200: ref(Order, 'The order, now CANCELLED'),
            ...errorResponses(...COMMON_ERRORS, 404, 409, 413, 415),
          },
        },
      },
      async (request, reply) => {
        const res = await orders.cancel(
          { role: 'ops', id: principalOf(request).id },
          request.params.orderId,
          request.body.reason,
          ctxOf(request),
        );
        return res.ok ? orderJson(res.value) : fail(request, reply, res.error);
      },
    );
  };
}
