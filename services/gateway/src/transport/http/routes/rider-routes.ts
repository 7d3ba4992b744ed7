import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { principalOf } from '../auth.ts';
import {
  COMMON_ERRORS,
  errorResponses,
  IdempotencyHeaders,
  NoBody,
  OrderIdParam,
  ref,
} from '../schemas/common.ts';
import {
  OfferAnswer,
  OfferIdParam,
  PendingOffer,
  PositionReport,
  PositionsBody,
  RiderOrderAction,
  RiderRun,
  RiderShift,
  ShiftBody,
} from '../schemas/dispatch.ts';
import { offerJson, riderShiftJson, runOrderJson } from '../to-json.ts';
import { ctxOf, failWith, invalidField, type RouteDeps } from './route-kit.ts';

const rider = { auth: ['rider'] as const };
// Dispatch tolerates repeats of all of these; the key adds a byte-identical replay, like other POSTs.
// Each moves an order under way or the rider's shift: the last requests shed (ADR 0020).
const writeOnce = { ...rider, idempotency: 'optional' as const, priority: 'critical' as const };
// The shift, the offer and the run: what the app reads to do the above.
const riderRead = { ...rider, priority: 'critical' as const };
const tags = ['riders'];
const WRITE_ERRORS = [...COMMON_ERRORS, 404, 409, 413, 415];

/**
 * Rider endpoints under /v1/rider (the token subject is the rider id): shift, position pings,
 * offers, the current run, pickup and delivery. Everything but pings goes to DispatchService, which checks that an
 * offer or order is the rider's. Pings go straight to Redis (docs/dispatch-service.md).
 */
export function riderRoutes({
  dispatch,
  positions,
  retryAfterSeconds,
}: RouteDeps): FastifyPluginAsyncTypebox {
  const fail = failWith(retryAfterSeconds);
  return async (app) => {
    app.get(
      '/shift',
      {
        config: riderRead,
        schema: {
          tags,
          summary: 'Your shift: status, leaving, shift end, and whether you can get offers now',
          description:
            'Changes nothing: read it when the app starts instead of re-sending POST /shift. A rider never online is OFFLINE.',
          response: {
            200: ref(RiderShift, 'Your shift'),
            ...errorResponses(...COMMON_ERRORS),
          },
        },
      },
      async (request, reply) => {
        const res = await dispatch.getRider(principalOf(request).id, ctxOf(request));
        return res.ok ? riderShiftJson(res.value) : fail(request, reply, res.error);
      },
    );

    app.post(
      '/shift',
      {
        config: writeOnce,
        schema: {
          tags,
          summary: 'Go online (start or continue a shift) or offline',
          description:
            'Going offline while delivering takes effect after the last drop-off of the current run (leaving); a pending offer counts as declined. Going online keeps a pending leaving unless stayOnline is true.',
          headers: IdempotencyHeaders(false),
          body: ShiftBody,
          response: {
            200: ref(RiderShift, 'Your shift after the change'),
            ...errorResponses(...WRITE_ERRORS),
          },
        },
      },
      async (request, reply) => {
        const { online, position, shiftEndsAt, stayOnline = false } = request.body;
        if (online && !position)
          return invalidField(request, reply, 'position', 'is required when going online');
        if (!online && stayOnline)
          return invalidField(request, reply, 'stayOnline', 'goes with online: true only');
        // The schema's date-time admits leap seconds (23:59:60), which Date cannot represent.
        const shiftEnd = shiftEndsAt === undefined ? undefined : new Date(shiftEndsAt);
        if (shiftEnd && Number.isNaN(shiftEnd.getTime()))
          return invalidField(request, reply, 'shiftEndsAt', 'must be a valid date-time');
        const res = await dispatch.setRiderOnline(
          {
            riderId: principalOf(request).id,
            online,
            position: position && { lat: position.lat, lng: position.lng },
            shiftEndsAt: shiftEnd,
            stayOnline,
          },
          ctxOf(request),
        );
        return res.ok ? riderShiftJson(res.value) : fail(request, reply, res.error);
      },
    );

    app.post(
      '/positions',
      {
        // THE HOT PATH (every online rider, every ~5 s): no gRPC, no Idempotency-Key processing (a
        // ping is idempotent by its timestamp), no trace spans (one Redis pipeline serves many
        // requests, so a per-request span would misattribute it; flush metrics cover it), and the
        // request line is logged at debug only (request-context.ts).
        // Sheddable (ADR 0020): the next ping, seconds later, replaces a refused one.
        config: { ...rider, otel: false, priority: 'sheddable' },
        schema: {
          tags,
          summary: 'Report position pings (1 to 20, oldest first)',
          description:
            'Out-of-order and stale pings are counted as dropped, not refused. Ping every ~5 s while online, also when standing still: a rider silent for 60 s is not offered orders. 503: retry after Retry-After.',
          body: PositionsBody,
          response: {
            202: ref(PositionReport, 'What became of the pings'),
            ...errorResponses(...COMMON_ERRORS, 413, 415),
          },
        },
      },
      async (request, reply) => {
        const fixes = request.body.pings.map((p) => ({
          lat: p.lat,
          lng: p.lng,
          recordedAt: Date.parse(p.recordedAt),
        }));
        const res = await positions.report(principalOf(request).id, fixes);
        return res.ok ? reply.code(202).send(res.value) : fail(request, reply, res.error);
      },
    );

    app.get(
      '/offer',
      {
        config: riderRead,
        schema: {
          tags,
          summary: 'Your pending offer, if any (poll it while online)',
          response: {
            200: ref(PendingOffer, 'The pending offer, or null'),
            ...errorResponses(...COMMON_ERRORS),
          },
        },
      },
      async (request, reply) => {
        const res = await dispatch.getOffer(principalOf(request).id, ctxOf(request));
        if (!res.ok) return fail(request, reply, res.error);
        return { offer: res.value ? offerJson(res.value) : null };
      },
    );

    const answer = (accept: boolean) =>
      app.post(
        `/offers/:offerId/${accept ? 'accept' : 'decline'}`,
        {
          config: writeOnce,
          schema: {
            tags,
            summary: accept
              ? 'Accept an offer: its orders are yours to pick up'
              : 'Decline an offer: its orders go to another rider',
            headers: IdempotencyHeaders(false),
            params: OfferIdParam,
            body: NoBody,
            response: {
              200: ref(OfferAnswer, 'The offer and your answer'),
              ...errorResponses(...WRITE_ERRORS),
            },
          },
        },
        async (request, reply) => {
          const { offerId } = request.params;
          const res = await dispatch.respondToOffer(principalOf(request).id, offerId, accept, ctxOf(request));
          if (!res.ok) return fail(request, reply, res.error);
          return { offer: offerJson(res.value.offer), accepted: res.value.accepted };
        },
      );
    answer(true);
    answer(false);

    app.get(
      '/orders',
      {
        config: riderRead,
        schema: {
          tags,
          summary: 'Your current run: orders you hold, and those cancelled while you held them',
          description:
            'Orders of offers you accepted that are ASSIGNED or PICKED_UP, with pickup, drop-off and address; an order cancelled while yours stays listed as CANCELLED for 30 minutes. Read it after an app restart to carry on. Only ever your own orders.',
          response: {
            200: ref(RiderRun, 'Your run (maybe empty)'),
            ...errorResponses(...COMMON_ERRORS),
          },
        },
      },
      async (request, reply) => {
        // The rider is the token's subject, never a parameter: no way to ask for someone else's run.
        const res = await dispatch.listRiderOrders(principalOf(request).id, ctxOf(request));
        return res.ok ? { orders: res.value.map(runOrderJson) } : fail(request, reply, res.error);
      },
    );

    const orderAction = (action: 'picked-up' | 'delivered', summary: string) =>
      app.post(
        `/orders/:orderId/${action}`,
        {
          config: writeOnce,
          schema: {
            tags,
            summary,
            headers: IdempotencyHeaders(false),
            params: OrderIdParam,
            body: NoBody,
            response: {
              200: ref(RiderOrderAction, 'Done (also on a repeat)'),
              ...errorResponses(...WRITE_ERRORS),
            },
          },
        },
        async (request, reply) => {
          const riderId = principalOf(request).id;
          const { orderId } = request.params;
          const ctx = ctxOf(request);
          const res =
            action === 'picked-up'
              ? await dispatch.markPickedUp(riderId, orderId, ctx)
              : await dispatch.markDelivered(riderId, orderId, ctx);
          return res.ok ? { orderId: res.value } : fail(request, reply, res.error);
        },
      );
    orderAction('picked-up', 'Mark an order of yours picked up (the merchant must have marked it ready)');
    orderAction('delivered', 'Mark an order of yours delivered');
  };
}
