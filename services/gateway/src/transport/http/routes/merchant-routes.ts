import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { MerchantStatus } from '@mealpeak/contracts/merchant.v1';
import { principalOf } from '../auth.ts';
import { getOwnMenuItem } from '../../../app/menu-item.ts';
import { stockRequestIdFor } from '../../../app/stock-request-id.ts';
import {
  COMMON_ERRORS,
  errorResponses,
  IdempotencyHeaders,
  NoBody,
  OrderIdParam,
  ref,
} from '../schemas/common.ts';
import {
  ItemIdParam,
  Merchant,
  MenuItem,
  MenuItemBody,
  MenuItemReplaceBody,
  MERCHANT_PROFILE_FIELDS,
  MerchantProfileBody,
  MerchantWithMenu,
  StatusBody,
  StockBody,
} from '../schemas/merchants.ts';
import { MerchantCancelBody, Order, OrderListQuery, OrderPage, RejectBody } from '../schemas/orders.ts';
import { merchantJson, menuItemJson, orderJson } from '../to-json.ts';
import type { MerchantWithMenu as StoreWithMenu } from '../../../app/ports.ts';
import { ctxOf, failWith, invalidField, nextPage, orderFilterOf, type RouteDeps } from './route-kit.ts';

const merchant = { auth: ['merchant'] as const };
const writeOnce = { ...merchant, idempotency: 'optional' as const };
// Moving an order in the kitchen, or pausing the store: the last requests shed (ADR 0020).
const orderAction = { ...writeOnce, priority: 'critical' as const };
const tags = ['merchants'];
const WRITE_ERRORS = [...COMMON_ERRORS, 404, 409, 413, 415];
/** The store as its merchant sees it: with the kitchen figures, and the menu. */
const storeJson = ({ merchant: m, menu }: StoreWithMenu) => ({
  merchant: merchantJson(m, { own: true }),
  menu: menu.map(menuItemJson),
});

/** Merchant endpoints under /v1/merchant; the store is always the token subject's own. */
export function merchantRoutes({
  orders,
  merchants,
  retryAfterSeconds,
}: RouteDeps): FastifyPluginAsyncTypebox {
  const fail = failWith(retryAfterSeconds);
  return async (app) => {
    app.get(
      '/',
      {
        // One path, /v1/merchant, not also /v1/merchant/ (fastify's default for a prefix root).
        prefixTrailingSlash: 'no-slash',
        config: merchant,
        schema: {
          tags,
          summary: 'Your store with its menu and kitchen figures',
          response: {
            200: ref(MerchantWithMenu, 'Your store and menu'),
            ...errorResponses(...COMMON_ERRORS, 404),
          },
        },
      },
      async (request, reply) => {
        const res = await merchants.getMerchant(principalOf(request).id, ctxOf(request));
        return res.ok ? storeJson(res.value) : fail(request, reply, res.error);
      },
    );

    app.patch(
      '/',
      {
        prefixTrailingSlash: 'no-slash',
        // Setting fields to values is idempotent by nature, like the PUTs: no Idempotency-Key.
        // Normal priority (ADR 0020): an edit of the store can wait; orders under way cannot.
        config: { ...merchant, priority: 'normal' },
        schema: {
          tags,
          summary: 'Edit your store: name, address, opening hours, kitchen capacity, base preparation time',
          description:
            'Only the fields sent change; at least one. Orders already placed keep the name and address they were placed with; capacity and preparation time count for the estimates quoted from now on.',
          body: MerchantProfileBody,
          response: {
            200: ref(MerchantWithMenu, 'Your store after the change, and its menu'),
            ...errorResponses(...COMMON_ERRORS, 404, 413, 415),
          },
        },
      },
      async (request, reply) => {
        const b = request.body;
        if (MERCHANT_PROFILE_FIELDS.every((f) => b[f] === undefined))
          return invalidField(
            request,
            reply,
            'body',
            `must give at least one field to change: ${MERCHANT_PROFILE_FIELDS.join(', ')}`,
          );
        const res = await merchants.updateMerchantProfile(
          {
            // Always the token's store: there is no id in the path or body to name another one.
            merchantId: principalOf(request).id,
            name: b.name,
            address: b.address,
            timeZone: b.timeZone,
            openingHours: b.openingHours && { windows: b.openingHours },
            kitchenCapacity: b.kitchenCapacity,
            basePrepSeconds: b.basePrepSeconds,
          },
          ctxOf(request),
        );
        return res.ok ? storeJson(res.value) : fail(request, reply, res.error);
      },
    );

    app.get(
      '/orders',
      {
        // Critical: the kitchen loads its orders to accept and ready them.
        config: { ...merchant, priority: 'critical' },
        schema: {
          tags,
          summary: 'Orders of your store (filter by state for the incoming ones: state=PLACED)',
          querystring: OrderListQuery,
          response: { 200: ref(OrderPage, 'A page of orders'), ...errorResponses(...COMMON_ERRORS) },
        },
      },
      async (request, reply) => {
        const res = await orders.list(principalOf(request), orderFilterOf(request.query), ctxOf(request));
        if (!res.ok) return fail(request, reply, res.error);
        return { orders: res.value.items.map(orderJson), ...nextPage(res.value.nextPageToken) };
      },
    );

    const action = (summary: string) => ({
      tags,
      summary,
      headers: IdempotencyHeaders(false),
      params: OrderIdParam,
      response: { 200: ref(Order, 'The order after the change'), ...errorResponses(...WRITE_ERRORS) },
    });

    app.post(
      '/orders/:orderId/accept',
      { config: orderAction, schema: { ...action('Accept an incoming order'), body: NoBody } },
      async (request, reply) => {
        const res = await orders.accept(principalOf(request).id, request.params.orderId, ctxOf(request));
        return res.ok ? orderJson(res.value) : fail(request, reply, res.error);
      },
    );

    app.post(
      '/orders/:orderId/reject',
      {
        config: orderAction,
        schema: { ...action('Reject an incoming order with a reason'), body: RejectBody },
      },
      async (request, reply) => {
        const { orderId } = request.params;
        const res = await orders.reject(
          principalOf(request).id,
          orderId,
          request.body.reason,
          ctxOf(request),
        );
        return res.ok ? orderJson(res.value) : fail(request, reply, res.error);
      },
    );

    app.post(
      '/orders/:orderId/ready',
      { config: orderAction, schema: { ...action('Mark an order ready for pickup'), body: NoBody } },
      async (request, reply) => {
        const res = await orders.markReady(principalOf(request).id, request.params.orderId, ctxOf(request));
        return res.ok ? orderJson(res.value) : fail(request, reply, res.error);
      },
    );

    app.post(
      '/orders/:orderId/cancel',
      {
        config: orderAction,
        schema: {
          ...action('Cancel an accepted order you cannot finish (before it is ready)'),
          description:
            'Only while ACCEPTED: an incoming (PLACED) order is rejected instead, and a ready one is the rider’s. Otherwise 409 ILLEGAL_TRANSITION. The customer is refunded.',
          body: MerchantCancelBody,
        },
      },
      async (request, reply) => {
        const { orderId } = request.params;
        const res = await orders.cancel(
          { role: 'merchant', id: principalOf(request).id },
          orderId,
          request.body.reason,
          ctxOf(request),
        );
        return res.ok ? orderJson(res.value) : fail(request, reply, res.error);
      },
    );

    app.post(
      '/menu/items',
      {
        config: writeOnce,
        schema: {
          tags,
          summary: 'Add a menu item',
          headers: IdempotencyHeaders(false),
          body: MenuItemBody,
          response: { 201: ref(MenuItem, 'The new menu item'), ...errorResponses(...WRITE_ERRORS) },
        },
      },
      async (request, reply) => {
        const b = request.body;
        const res = await merchants.upsertMenuItem(
          {
            merchantId: principalOf(request).id,
            itemId: '',
            replaceOnly: false,
            keepStock: false,
            ...b,
            description: b.description ?? '',
          },
          ctxOf(request),
        );
        if (!res.ok) return fail(request, reply, res.error);
        return reply
          .code(201)
          .header('location', `/v1/merchant/menu/items/${res.value.id}`)
          .send(menuItemJson(res.value));
      },
    );

    // Where POST /menu/items' Location points.
    app.get(
      '/menu/items/:itemId',
      {
        config: merchant,
        schema: {
          tags,
          summary: 'One item of your menu',
          params: ItemIdParam,
          response: { 200: ref(MenuItem, 'The menu item'), ...errorResponses(...COMMON_ERRORS, 404) },
        },
      },
      async (request, reply) => {
        const res = await getOwnMenuItem(
          merchants,
          principalOf(request).id,
          request.params.itemId,
          ctxOf(request),
        );
        return res.ok ? menuItemJson(res.value) : fail(request, reply, res.error);
      },
    );

    app.put(
      '/menu/items/:itemId',
      {
        config: merchant,
        schema: {
          tags,
          summary: 'Replace a menu item',
          params: ItemIdParam,
          body: MenuItemReplaceBody,
          response: {
            200: ref(MenuItem, 'The menu item after the change'),
            ...errorResponses(...WRITE_ERRORS),
          },
        },
      },
      async (request, reply) => {
        const b = request.body;
        const res = await merchants.upsertMenuItem(
          {
            merchantId: principalOf(request).id,
            itemId: request.params.itemId,
            // PUT replaces: an unknown id is 404 ITEM_NOT_FOUND, not a new item under that id.
            replaceOnly: true,
            ...b,
            // Without a stock figure the item keeps its own (orders may have taken units since).
            stock: b.stock ?? 0,
            keepStock: b.stock === undefined,
            description: b.description ?? '',
          },
          ctxOf(request),
        );
        return res.ok ? menuItemJson(res.value) : fail(request, reply, res.error);
      },
    );

    app.put(
      '/menu/items/:itemId/stock',
      {
        // An add is not idempotent: with an Idempotency-Key a retry replays the first answer, or
        // (the record gone, or released after a 5xx) the merchant service answers it (adr/0022).
        config: writeOnce,
        schema: {
          tags,
          summary: 'Change the stock of a menu item: add (or remove) units, or set the units left',
          headers: IdempotencyHeaders(false),
          params: ItemIdParam,
          body: StockBody,
          response: {
            200: ref(MenuItem, 'The menu item after the change'),
            ...errorResponses(...WRITE_ERRORS),
          },
        },
      },
      async (request, reply) => {
        const { itemId } = request.params;
        const { stock, add, expectedStock } = request.body;
        // Messages follow the field name ("stock is required, ..."), as every field error does.
        const which = '(exactly one of stock, the units left, and add, the units to add or remove)';
        if (stock === undefined && add === undefined)
          return invalidField(request, reply, 'stock', `is required, or add instead ${which}`);
        if (stock !== undefined && add !== undefined)
          return invalidField(request, reply, 'add', `cannot go with stock ${which}`);
        if (add !== undefined && expectedStock !== undefined)
          return invalidField(request, reply, 'expectedStock', 'goes with stock only, not with add');
        // The gateway's key record alone is not enough: a 504 releases it, and the retry would
        // add again. The merchant service records the derived id with the change (adr/0022).
        const merchantId = principalOf(request).id;
        const key = request.headers['idempotency-key'];
        const requestId = typeof key === 'string' ? stockRequestIdFor(merchantId, itemId, key) : undefined;
        const res = await merchants.setStock(
          merchantId,
          itemId,
          { stock, add, expectedStock, requestId },
          ctxOf(request),
        );
        return res.ok ? menuItemJson(res.value) : fail(request, reply, res.error);
      },
    );

    app.put(
      '/status',
      {
        // Critical: pausing is how a swamped kitchen stops new orders.
        config: { ...merchant, priority: 'critical' },
        schema: {
          tags,
          summary: 'Open or pause your store',
          body: StatusBody,
          response: { 200: ref(Merchant, 'Your store after the change'), ...errorResponses(...WRITE_ERRORS) },
        },
      },
      async (request, reply) => {
        const status =
          request.body.status === 'OPEN'
            ? MerchantStatus.MERCHANT_STATUS_OPEN
            : MerchantStatus.MERCHANT_STATUS_PAUSED;
        const res = await merchants.setMerchantStatus(principalOf(request).id, status, ctxOf(request));
        return res.ok ? merchantJson(res.value, { own: true }) : fail(request, reply, res.error);
      },
    );
  };
}
