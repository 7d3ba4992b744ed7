import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../src/app/principal.ts';
import { createHarness, type Harness } from './support/harness.ts';
import { describeInvalidInput, ORDER, UNKNOWN_ORDER, type Case } from './support/invalid-input.ts';

/** Invalid input on the customer endpoints: browsing merchants, placing, reading, cancelling orders. */

const order = {
  merchantId: 'm-1',
  lines: [{ itemId: 'i-1', quantity: 2 }],
  dropoff: { lat: 52.5, lng: 13.4 },
  dropoffAddress: 'Somestr. 1',
};
const json = { 'content-type': 'application/json' };
const customer: [Role, string] = ['customer', 'c-1'];
let n = 0;
const key = () => ({ 'idempotency-key': `bad-input-${(n += 1)}` });
const placeOrder = (payload: unknown, extra: Partial<Case> = {}): Omit<Case, 'name' | 'status' | 'code'> => ({
  as: customer,
  method: 'POST',
  url: '/v1/orders',
  payload,
  headers: key(),
  ...extra,
});

describeInvalidInput('invalid input: customer endpoints', [
  // POST /v1/orders
  {
    name: 'no body',
    ...placeOrder(undefined),
    status: 400,
    code: 'VALIDATION_FAILED',
    fields: ['merchantId', 'lines', 'dropoff', 'dropoffAddress'],
  },
  {
    name: 'broken JSON',
    ...placeOrder('{"merchantId":', { headers: { ...key(), ...json } }),
    status: 400,
    code: 'INVALID_JSON',
  },
  {
    // Many HTTP clients label an empty POST application/json: that is no body, not broken JSON.
    name: 'empty JSON body',
    ...placeOrder('', { headers: { ...key(), ...json } }),
    status: 400,
    code: 'VALIDATION_FAILED',
    fields: ['merchantId', 'lines', 'dropoff', 'dropoffAddress'],
  },
  {
    name: 'prototype pollution',
    ...placeOrder('{"__proto__":{"admin":true}}', { headers: { ...key(), ...json } }),
    status: 400,
    code: 'INVALID_JSON',
  },
  { name: 'a JSON array', ...placeOrder([order]), status: 400, code: 'VALIDATION_FAILED', fields: ['body'] },
  {
    name: 'text/plain',
    ...placeOrder('hello', { headers: { ...key(), 'content-type': 'text/plain' } }),
    status: 415,
    code: 'UNSUPPORTED_MEDIA_TYPE',
  },
  {
    name: 'form encoded',
    ...placeOrder('a=1', { headers: { ...key(), 'content-type': 'application/x-www-form-urlencoded' } }),
    status: 415,
    code: 'UNSUPPORTED_MEDIA_TYPE',
  },
  {
    // A compressed body was read as broken JSON (400 INVALID_JSON): say what is wrong instead.
    name: 'gzip encoded',
    ...placeOrder(gzipSync(JSON.stringify(order)), {
      headers: { ...key(), ...json, 'content-encoding': 'gzip' },
    }),
    status: 415,
    code: 'UNSUPPORTED_MEDIA_TYPE',
  },
  {
    name: 'body over 64 KiB',
    ...placeOrder({ ...order, dropoffAddress: 'x'.repeat(70_000) }),
    status: 413,
    code: 'PAYLOAD_TOO_LARGE',
  },
  {
    name: 'negative quantity',
    ...placeOrder({ ...order, lines: [{ itemId: 'i-1', quantity: -1 }] }),
    status: 400,
    code: 'VALIDATION_FAILED',
    fields: ['lines[0].quantity'],
  },
  {
    name: 'zero quantity',
    ...placeOrder({ ...order, lines: [{ itemId: 'i-1', quantity: 0 }] }),
    status: 400,
    code: 'VALIDATION_FAILED',
    fields: ['lines[0].quantity'],
  },
  {
    name: 'quantity 100',
    ...placeOrder({ ...order, lines: [{ itemId: 'i-1', quantity: 100 }] }),
    status: 400,
    code: 'VALIDATION_FAILED',
    fields: ['lines[0].quantity'],
  },
  {
    name: 'fractional quantity',
    ...placeOrder({ ...order, lines: [{ itemId: 'i-1', quantity: 1.5 }] }),
    status: 400,
    code: 'VALIDATION_FAILED',
    fields: ['lines[0].quantity'],
  },
  {
    name: 'quantity as a string (no coercion)',
    ...placeOrder({ ...order, lines: [{ itemId: 'i-1', quantity: '2' }] }),
    status: 400,
    code: 'VALIDATION_FAILED',
    fields: ['lines[0].quantity'],
  },
  {
    name: 'no lines',
    ...placeOrder({ ...order, lines: [] }),
    status: 400,
    code: 'VALIDATION_FAILED',
    fields: ['lines'],
  },
  {
    name: '51 lines',
    ...placeOrder({ ...order, lines: Array.from({ length: 51 }, () => ({ itemId: 'i-1', quantity: 1 })) }),
    status: 400,
    code: 'VALIDATION_FAILED',
    fields: ['lines'],
  },
  {
    name: 'unknown top-level field',
    ...placeOrder({ ...order, tip: 100 }),
    status: 400,
    code: 'UNKNOWN_FIELD',
    fields: ['tip'],
  },
  {
    name: 'unknown nested field',
    ...placeOrder({ ...order, lines: [{ itemId: 'i-1', quantity: 1, price: 1 }] }),
    status: 400,
    code: 'UNKNOWN_FIELD',
    fields: ['lines[0].price'],
  },
  {
    name: 'latitude out of range',
    ...placeOrder({ ...order, dropoff: { lat: 91, lng: 13.4 } }),
    status: 400,
    code: 'VALIDATION_FAILED',
    fields: ['dropoff.lat'],
  },
  {
    name: 'longitude missing',
    ...placeOrder({ ...order, dropoff: { lat: 52.5 } }),
    status: 400,
    code: 'VALIDATION_FAILED',
    fields: ['dropoff.lng'],
  },
  {
    name: 'empty address',
    ...placeOrder({ ...order, dropoffAddress: '' }),
    status: 400,
    code: 'VALIDATION_FAILED',
    fields: ['dropoffAddress'],
  },
  {
    name: 'blank address (spaces only)',
    ...placeOrder({ ...order, dropoffAddress: '   ' }),
    status: 400,
    code: 'VALIDATION_FAILED',
    fields: ['dropoffAddress'],
  },
  {
    name: 'merchant id with spaces',
    ...placeOrder({ ...order, merchantId: 'm 1' }),
    status: 400,
    code: 'VALIDATION_FAILED',
    fields: ['merchantId'],
  },
  {
    name: 'unknown merchant',
    ...placeOrder({ ...order, merchantId: 'm-404' }),
    status: 404,
    code: 'MERCHANT_NOT_FOUND',
  },
  {
    name: 'no Idempotency-Key',
    ...placeOrder(order, { headers: {} }),
    status: 400,
    code: 'IDEMPOTENCY_KEY_REQUIRED',
  },
  {
    name: 'Idempotency-Key with spaces',
    ...placeOrder(order, { headers: { 'idempotency-key': 'a b' } }),
    status: 400,
    code: 'VALIDATION_FAILED',
    fields: ['Idempotency-Key'],
  },
  {
    name: 'Idempotency-Key of 201 characters',
    ...placeOrder(order, { headers: { 'idempotency-key': 'k'.repeat(201) } }),
    status: 400,
    code: 'VALIDATION_FAILED',
    fields: ['Idempotency-Key'],
  },

  // GET /v1/merchants
  {
    name: 'merchants: no position',
    as: customer,
    url: '/v1/merchants',
    status: 400,
    code: 'VALIDATION_FAILED',
    fields: ['lat', 'lng'],
  },
  {
    name: 'merchants: latitude 91',
    as: customer,
    url: '/v1/merchants?lat=91&lng=1',
    status: 400,
    code: 'VALIDATION_FAILED',
    fields: ['lat'],
  },
  {
    name: 'merchants: latitude not a number',
    as: customer,
    url: '/v1/merchants?lat=north&lng=1',
    status: 400,
    code: 'VALIDATION_FAILED',
    fields: ['lat'],
  },
  {
    name: 'merchants: radius 10 m',
    as: customer,
    url: '/v1/merchants?lat=1&lng=1&radiusM=10',
    status: 400,
    code: 'VALIDATION_FAILED',
    fields: ['radiusM'],
  },
  {
    name: 'merchants: openOnly=maybe',
    as: customer,
    url: '/v1/merchants?lat=1&lng=1&openOnly=maybe',
    status: 400,
    code: 'VALIDATION_FAILED',
    fields: ['openOnly'],
  },
  {
    name: 'merchants: pageSize 0',
    as: customer,
    url: '/v1/merchants?lat=1&lng=1&pageSize=0',
    status: 400,
    code: 'VALIDATION_FAILED',
    fields: ['pageSize'],
  },
  {
    name: 'merchants: pageSize 5.5 (no truncation)',
    as: customer,
    url: '/v1/merchants?lat=1&lng=1&pageSize=5.5',
    status: 400,
    code: 'VALIDATION_FAILED',
    fields: ['pageSize'],
  },
  {
    name: 'merchants: unknown parameter',
    as: customer,
    url: '/v1/merchants?lat=1&lng=1&sort=asc',
    status: 400,
    code: 'UNKNOWN_FIELD',
    fields: ['sort'],
  },

  // GET /v1/merchants/{merchantId}
  {
    name: 'merchant: unknown id',
    as: customer,
    url: '/v1/merchants/m-404',
    status: 404,
    code: 'MERCHANT_NOT_FOUND',
  },
  {
    name: 'merchant: id with a space',
    as: customer,
    url: '/v1/merchants/m%201',
    status: 400,
    code: 'VALIDATION_FAILED',
    fields: ['merchantId'],
  },
  {
    name: 'merchant: id of 65 characters',
    as: customer,
    url: `/v1/merchants/${'m'.repeat(65)}`,
    status: 400,
    code: 'VALIDATION_FAILED',
    fields: ['merchantId'],
  },
  {
    name: 'merchant: path parameter over 100 characters',
    as: customer,
    url: `/v1/merchants/${'m'.repeat(150)}`,
    status: 414,
    code: 'URI_TOO_LONG',
  },
  {
    name: 'merchant: broken percent-encoding',
    as: customer,
    url: '/v1/merchants/%E0%A4%A',
    status: 400,
    code: 'BAD_REQUEST',
  },

  // GET /v1/orders and /v1/orders/{orderId}
  {
    name: 'orders: unknown state',
    as: customer,
    url: '/v1/orders?state=LOST',
    status: 400,
    code: 'VALIDATION_FAILED',
    fields: ['state[0]'],
  },
  {
    name: 'orders: pageSize 101',
    as: customer,
    url: '/v1/orders?pageSize=101',
    status: 400,
    code: 'VALIDATION_FAILED',
    fields: ['pageSize'],
  },
  {
    name: 'orders: someone else’s customerId',
    as: customer,
    url: '/v1/orders?customerId=c-2',
    status: 400,
    code: 'UNKNOWN_FIELD',
    fields: ['customerId'],
  },
  {
    name: 'order: not a UUID',
    as: customer,
    url: '/v1/orders/42',
    status: 400,
    code: 'VALIDATION_FAILED',
    fields: ['orderId'],
  },
  {
    name: 'order: unknown id',
    as: customer,
    url: `/v1/orders/${UNKNOWN_ORDER}`,
    status: 404,
    code: 'ORDER_NOT_FOUND',
  },
  {
    name: 'timeline: unknown id',
    as: customer,
    url: `/v1/orders/${UNKNOWN_ORDER}/timeline`,
    status: 404,
    code: 'ORDER_NOT_FOUND',
  },

  // POST /v1/orders/{orderId}/cancel
  {
    name: 'cancel: reason not a string',
    as: customer,
    method: 'POST',
    url: `/v1/orders/${ORDER}/cancel`,
    payload: { reason: 5 },
    status: 400,
    code: 'VALIDATION_FAILED',
    fields: ['reason'],
  },
  {
    name: 'cancel: reason too long',
    as: customer,
    method: 'POST',
    url: `/v1/orders/${ORDER}/cancel`,
    payload: { reason: 'r'.repeat(201) },
    status: 400,
    code: 'VALIDATION_FAILED',
    fields: ['reason'],
  },
  {
    name: 'cancel: unknown field',
    as: customer,
    method: 'POST',
    url: `/v1/orders/${ORDER}/cancel`,
    payload: { refund: true },
    status: 400,
    code: 'UNKNOWN_FIELD',
    fields: ['refund'],
  },
  {
    name: 'cancel: unknown order',
    as: customer,
    method: 'POST',
    url: `/v1/orders/${UNKNOWN_ORDER}/cancel`,
    status: 404,
    code: 'ORDER_NOT_FOUND',
  },
]);

describe('unknown query parameters', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness();
  });
  afterAll(() => h.close());

  it('echoes at most 64 characters of an unknown parameter name', async () => {
    const name = 'a'.repeat(9_000);
    const res = await h.call({ url: `/v1/orders?${name}=1`, as: customer });
    expect(res.statusCode).toBe(400);
    const body = res.json<{ code: string; message: string; fields: { field: string }[] }>();
    expect(body.code).toBe('UNKNOWN_FIELD');
    expect(body.fields).toEqual([{ field: `${'a'.repeat(64)}…`, message: 'is not a known field' }]);
    expect(body.message).toBe(`invalid request: ${'a'.repeat(64)}… is not a known field`);
  });
});
