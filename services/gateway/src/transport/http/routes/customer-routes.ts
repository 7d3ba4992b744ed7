import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { principalOf } from '../auth.ts';
import { COMMON_ERRORS, errorResponses, IdempotencyHeaders, OrderIdParam, ref } from '../schemas/common.ts';
import { DeliveryTracking } from '../schemas/dispatch.ts';
import { MerchantIdParam, MerchantListQuery, MerchantPage, MerchantWithMenu } from '../schemas/merchants.ts';
import { CancelBody, Order, OrderListQuery, OrderPage, PlaceOrderBody, Timeline } from '../schemas/orders.ts';
import { merchantJson, menuItemJson, orderJson, timelineEntryJson, trackingJson } from '../to-json.ts';
import { ctxOf, failWith, nextPage, orderFilterOf, type RouteDeps } from './route-kit.ts';

const customer = { auth: ['customer'] as const };
// Browsing and the tracking map are polled and retried by the app: first to go under load (ADR 0020).
const polled = { ...customer, priority: 'sheddable' as const };
const tags = ['customers'];

/** Customer endpoints under /v1: browse merchants, place, track, cancel and list own orders. */
export function customerRoutes({
  orders,
  merchants,
  retryAfterSeconds,
}: RouteDeps): FastifyPluginAsyncTypebox {
  const fail = failWith(retryAfterSeconds);
  return async (app) => {
    app.get(
      '/merchants',
      {
        config: polled,
        schema: {
          tags,
          summary: 'Merchants near a point, nearest first',
          description:
            'Only merchants that deliver to the point: within radiusM of it and within their own deliveryRadiusM.',
          querystring: MerchantListQuery,
          response: { 200: ref(MerchantPage, 'A page of merchants'), ...errorResponses(...COMMON_ERRORS) },
        },
      },
      async (request, reply) => {
        const q = request.query;
        const res = await merchants.listMerchants(
          {
            near: { lat: q.lat, lng: q.lng },
            radiusM: q.radiusM,
            openOnly: q.openOnly,
            pageSize: q.pageSize,
            pageToken: q.pageToken ?? '',
          },
          ctxOf(request),
        );
        if (!res.ok) return fail(request, reply, res.error);
        const list = res.value.items.flatMap((s) =>
          s.merchant ? [merchantJson(s.merchant, { distanceM: s.distanceM })] : [],
        );
        return { merchants: list, ...nextPage(res.value.nextPageToken) };
      },
    );

    app.get(
      '/merchants/:merchantId',
      {
        config: polled,
        schema: {
          tags,
          summary: 'One merchant with its menu',
          params: MerchantIdParam,
          response: {
            200: ref(MerchantWithMenu, 'The merchant and its menu'),
            ...errorResponses(...COMMON_ERRORS, 404),
          },
        },
      },
      async (request, reply) => {
        const res = await merchants.getMerchant(request.params.merchantId, ctxOf(request));
        if (!res.ok) return fail(request, reply, res.error);
        return { merchant: merchantJson(res.value.merchant), menu: res.value.menu.map(menuItemJson) };
      },
    );

    app.post(
      '/orders',
      {
        config: { ...customer, idempotency: 'required' },
        schema: {
          tags,
          summary: 'Place an order',
          description:
            'The order id is derived from your subject and the Idempotency-Key: retrying with the same key never places a second order. ' +
            "A drop-off beyond the merchant's deliveryRadiusM is refused with 409 OUT_OF_DELIVERY_AREA (field dropoff).",
          headers: IdempotencyHeaders(true),
          body: PlaceOrderBody,
          response: {
            201: ref(Order, 'The order (also on a replay of the same Idempotency-Key)'),
            ...errorResponses(...COMMON_ERRORS, 404, 409, 413, 415),
          },
        },
      },
      async (request, reply) => {
        const key = request.headers['idempotency-key'];
        const res = await orders.place(principalOf(request).id, key, request.body, ctxOf(request));
        if (!res.ok) return fail(request, reply, res.error);
        return reply.code(201).header('location', `/v1/orders/${res.value.id}`).send(orderJson(res.value));
      },
    );

    app.get(
      '/orders',
      {
        config: customer,
        schema: {
          tags,
          summary: 'Your orders, newest first',
          querystring: OrderListQuery,
          response: { 200: ref(OrderPage, 'A page of your orders'), ...errorResponses(...COMMON_ERRORS) },
        },
      },
      async (request, reply) => {
        const res = await orders.list(principalOf(request), orderFilterOf(request.query), ctxOf(request));
        if (!res.ok) return fail(request, reply, res.error);
        return { orders: res.value.items.map(orderJson), ...nextPage(res.value.nextPageToken) };
      },
    );

    app.get(
      '/orders/:orderId',
      {
        config: customer,
        schema: {
          tags,
          summary: 'One of your orders',
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
        config: customer,
        schema: {
          tags,
          summary: 'State changes of one of your orders, oldest first',
          params: OrderIdParam,
          response: { 200: ref(Timeline, 'The timeline'), ...errorResponses(...COMMON_ERRORS, 404) },
        },
      },
      async (request, reply) => {
        const res = await orders.timeline(principalOf(request), request.params.orderId, ctxOf(request));
        if (!res.ok) return fail(request, reply, res.error);
        return { entries: res.value.map((e) => timelineEntryJson(e, false)) };
      },
    );

    app.get(
      '/orders/:orderId/tracking',
      {
        // Customers only: "nobody else can" see where a customer's rider is (merchants, riders and
        // ops get 403), and only for their own orders (404 otherwise).
        config: polled,
        schema: {
          tags,
          summary: 'Where your rider is, and when your order arrives',
          description:
            'Poll while the order is on its way. 409 TRACKING_NOT_AVAILABLE until the merchant accepts the order (or after a rejection), 409 ORDER_CANCELLED once it is cancelled.',
          params: OrderIdParam,
          response: {
            200: ref(DeliveryTracking, 'Rider position and ETA'),
            ...errorResponses(...COMMON_ERRORS, 404, 409),
          },
        },
      },
      async (request, reply) => {
        const res = await orders.track(principalOf(request).id, request.params.orderId, ctxOf(request));
        return res.ok ? trackingJson(res.value) : fail(request, reply, res.error);
      },
    );

    app.post(
      '/orders/:orderId/cancel',
      {
        // Normal, not critical (ADR 0020): a customer token is the cheapest to get, and any order
        // id would do to buy the priority.
        config: { ...customer, idempotency: 'optional' },
        schema: {
          tags,
          summary: 'Cancel one of your orders (while the order service allows it)',
          headers: IdempotencyHeaders(false),
          params: OrderIdParam,
          body: CancelBody,
          response: { 200: ref(Order, 'The order'), ...errorResponses(...COMMON_ERRORS, 404, 409, 413, 415) },
        },
      },
      async (request, reply) => {
        const { orderId } = request.params;
        const res = await orders.cancel(
          { role: 'customer', id: principalOf(request).id },
          orderId,
          request.body.reason ?? '',
          ctxOf(request),
        );
        return res.ok ? orderJson(res.value) : fail(request, reply, res.error);
      },
    );
  };
}
