import { afterEach, describe, expect, it } from 'vitest';
import { codedError } from '@mealpeak/core';
import { OrderState } from '@mealpeak/contracts/order.v1';
import { orderIdFor } from '../src/app/order-id.ts';
import { Type } from 'typebox';
import { MAX_STORED_REFUSAL_BYTES } from '../src/transport/http/idempotency.ts';
import { createHarness, type Harness, type HarnessOptions } from './support/harness.ts';
import { MemoryIdempotencyStore } from './support/memory-idempotency-store.ts';

/** Idempotency-Key semantics through inject(), with the store in memory (Redis: *.int.test.ts). */

const order = {
  merchantId: 'm-1',
  lines: [{ itemId: 'i-1', quantity: 2 }],
  dropoff: { lat: 52.5, lng: 13.4 },
  dropoffAddress: 'Somestr. 1',
};

let h: Harness;
let store: MemoryIdempotencyStore;
async function harness(
  env: Record<string, string> = {},
  routes?: HarnessOptions['routes'],
): Promise<Harness> {
  store = new MemoryIdempotencyStore();
  h = await createHarness({ idempotency: store, env, ...(routes ? { routes } : {}) });
  h.backend.addMerchant('m-1');
  return h;
}
afterEach(() => h?.close());

const place = (key: string, body: object = order, sub = 'c-1') =>
  h.call({
    method: 'POST',
    url: '/v1/orders',
    payload: body,
    headers: { 'idempotency-key': key },
    as: ['customer', sub],
  });

describe('Idempotency-Key on POST /v1/orders', () => {
  it('replays the first response byte for byte, marked Idempotent-Replayed, without placing again', async () => {
    await harness();
    const first = await place('k-1');
    const again = await place('k-1');
    expect(first.statusCode).toBe(201);
    expect(again.statusCode).toBe(201);
    expect(again.body).toBe(first.body);
    expect(again.headers['location']).toBe(first.headers['location']);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    expect(again.headers['x-request-id']).not.toBe(first.headers['x-request-id']);
    expect(h.backend.placeCalls).toHaveLength(1);
  });

  it('treats a body with the same content in another key order as the same request', async () => {
    await harness();
    await place('k-1');
    const reordered = {
      dropoffAddress: order.dropoffAddress,
      dropoff: { lng: 13.4, lat: 52.5 },
      lines: order.lines,
      merchantId: 'm-1',
    };
    expect((await place('k-1', reordered)).headers['idempotent-replayed']).toBe('true');
  });

  it('refuses the same key with a different body (409 IDEMPOTENCY_KEY_REUSED)', async () => {
    await harness();
    await place('k-1');
    const res = await place('k-1', { ...order, lines: [{ itemId: 'i-1', quantity: 3 }] });
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED' });
    expect(h.backend.placeCalls).toHaveLength(1);
  });

  it('scopes keys by subject: two customers with the same key place two orders', async () => {
    await harness();
    const a = await place('same', order, 'c-1');
    const b = await place('same', order, 'c-2');
    expect(a.json<{ id: string }>().id).toBe(orderIdFor('c-1', 'same'));
    expect(b.json<{ id: string }>().id).toBe(orderIdFor('c-2', 'same'));
  });

  it('stores 4xx outcomes: the replay of a refused order is the same refusal', async () => {
    await harness();
    const first = await place('k-404', { ...order, merchantId: 'm-404' });
    h.backend.addMerchant('m-404'); // even if the world changed since
    const again = await place('k-404', { ...order, merchantId: 'm-404' });
    expect(first.statusCode).toBe(404);
    expect(again.statusCode).toBe(404);
    expect(again.body).toBe(first.body);
    expect(again.headers['idempotent-replayed']).toBe('true');
  });

  it('keeps a large refusal as its status, code and a short message, not its every field', async () => {
    await harness();
    const fields = Array.from({ length: 50 }, (_, i) => ({
      field: `lines[${i}].item_id`,
      message: `item ${'x'.repeat(64)} is not on this menu`,
    }));
    h.backend.failures.set('placeOrder', codedError('not_found', 'ITEM_NOT_FOUND', 'y'.repeat(500), fields));
    const first = await place('k-big-404');
    expect(first.statusCode).toBe(404);
    expect(first.body.length).toBeGreaterThan(2_500);
    // The gateway passes at most 20 of a service's field errors on.
    expect(first.json<{ fields: unknown[] }>().fields).toHaveLength(20);
    const [record] = [...store.records.values()];
    expect(record?.state === 'done' && Buffer.byteLength(record.body)).toBeLessThanOrEqual(
      MAX_STORED_REFUSAL_BYTES,
    );

    const again = await place('k-big-404');
    expect(again.statusCode).toBe(404);
    expect(again.headers['idempotent-replayed']).toBe('true');
    const original = first.json<{ code: string; message: string; requestId: string }>();
    expect(again.json()).toEqual({
      code: 'ITEM_NOT_FOUND',
      message: `${original.message.slice(0, 200)}…`,
      requestId: original.requestId,
    });
    expect(h.backend.placeCalls).toHaveLength(1);
  });

  it('replays a refusal for IDEMPOTENCY_REFUSAL_TTL_SECONDS only, then runs the request again', async () => {
    let now = Date.parse('2026-12-05T12:00:00Z');
    store = new MemoryIdempotencyStore(() => now);
    h = await createHarness({ idempotency: store, env: { IDEMPOTENCY_REFUSAL_TTL_SECONDS: '300' } });
    h.backend.addMerchant('m-1');
    const refused = { ...order, merchantId: 'm-404' };
    expect((await place('k-refused', refused)).statusCode).toBe(404);
    now += 299_000;
    expect((await place('k-refused', refused)).headers['idempotent-replayed']).toBe('true');
    now += 2_000;
    h.backend.addMerchant('m-404');
    const later = await place('k-refused', refused);
    expect(later.statusCode).toBe(201);
    expect(later.headers['idempotent-replayed']).toBeUndefined();
    // An order is still kept for the whole IDEMPOTENCY_TTL_SECONDS.
    now += 23 * 3_600_000;
    expect((await place('k-refused', refused)).headers['idempotent-replayed']).toBe('true');
  });

  it('does not keep a 2xx answer over IDEMPOTENCY_MAX_STORED_BYTES: the retry runs again, same order', async () => {
    await harness({ IDEMPOTENCY_MAX_STORED_BYTES: '100' });
    const first = await place('k-large');
    const retry = await place('k-large');
    expect(first.statusCode).toBe(201);
    expect(retry.statusCode).toBe(201);
    expect(retry.headers['idempotent-replayed']).toBeUndefined();
    expect(retry.headers['location']).toBe(first.headers['location']);
    expect(store.records.size).toBe(0);
    expect(h.backend.placeCalls).toHaveLength(2);
  });

  it('does not store 5xx outcomes: the retry runs again and can succeed', async () => {
    await harness();
    h.backend.failures.set('placeOrder', codedError('unavailable', 'GRPC_UNAVAILABLE', 'down'));
    expect((await place('k-5xx')).statusCode).toBe(503);
    const retry = await place('k-5xx');
    expect(retry.statusCode).toBe(201);
    expect(retry.headers['idempotent-replayed']).toBeUndefined();
    expect(h.backend.placeCalls).toHaveLength(2);
  });

  it('answers 409 IDEMPOTENCY_REQUEST_IN_PROGRESS when the first request is still running at our deadline', async () => {
    await harness({
      REQUEST_TIMEOUT_MS: '600',
      GRPC_DEADLINE_MS: '100',
      PLACE_ORDER_DEADLINE_MS: '200',
      CONNECTION_TIMEOUT_MS: '2000',
    });
    h.backend.placeDelayMs = 2_000;
    const outcomes = await Promise.all([place('k-slow'), place('k-slow')]);
    const codes = outcomes.map((r) => `${r.statusCode} ${r.json<{ code: string }>().code}`).sort();
    // One ran into its own timeout (504: not stored, the key is free again); the other gave up waiting.
    expect(codes).toEqual(['409 IDEMPOTENCY_REQUEST_IN_PROGRESS', '504 REQUEST_TIMEOUT']);
    expect(h.backend.placeCalls).toHaveLength(1);
    expect([...store.records.values()]).toEqual([]);
  });

  it('lets a request wait for the one that holds the key and replays its response', async () => {
    await harness();
    h.backend.placeDelayMs = 150;
    const [a, b] = await Promise.all([place('k-race'), place('k-race')]);
    expect(a.statusCode).toBe(201);
    expect(b.body).toBe(a.body);
    expect([a.headers['idempotent-replayed'], b.headers['idempotent-replayed']].filter(Boolean)).toEqual([
      'true',
    ]);
    expect(h.backend.placeCalls).toHaveLength(1);
  });

  it('fails open when the store is down, and the deterministic order id still prevents a duplicate', async () => {
    await harness();
    store.available = false;
    const first = await place('k-down');
    const again = await place('k-down');
    expect(first.statusCode).toBe(201);
    expect(again.statusCode).toBe(201);
    expect(again.json<{ id: string }>().id).toBe(first.json<{ id: string }>().id);
    expect(h.backend.orders.size).toBe(1);
  });

  it('keeps an invalid body from spending the key', async () => {
    await harness();
    expect((await place('k-fix', { ...order, lines: [] })).statusCode).toBe(400);
    expect((await place('k-fix')).statusCode).toBe(201);
  });
});

describe('Idempotency-Key on the other non-idempotent POSTs', () => {
  const ORDER = '7d3c1a2e-5b6f-4c8d-9e0f-1a2b3c4d5e6f';

  it('is optional, and honoured when sent (a retried cancel replays instead of failing)', async () => {
    await harness();
    h.backend.addOrder({ id: ORDER, customerId: 'c-1', merchantId: 'm-1' });
    const cancel = () =>
      h.call({
        method: 'POST',
        url: `/v1/orders/${ORDER}/cancel`,
        payload: {},
        headers: { 'idempotency-key': 'c' },
        as: ['customer', 'c-1'],
      });
    const first = await cancel();
    const again = await cancel();
    expect(first.statusCode).toBe(200);
    expect(again.statusCode).toBe(200);
    expect(again.body).toBe(first.body);
    expect(again.headers['idempotent-replayed']).toBe('true');
    // Without a key the same call is a real second attempt, which the order service refuses.
    const noKey = await h.call({
      method: 'POST',
      url: `/v1/orders/${ORDER}/cancel`,
      as: ['customer', 'c-1'],
    });
    expect(noKey.statusCode).toBe(409);
  });

  it.each([
    ['merchant', 'm-1', '/v1/merchant/orders/{id}/cancel', 'OUT_OF_STOCK'],
    ['ops', 'ops-1', '/v1/ops/orders/{id}/cancel', 'FRAUD_SUSPECTED'],
  ] as const)(
    'is honoured on the %s cancel: a retry replays the cancelled order',
    async (role, sub, path, reason) => {
      await harness();
      h.backend.addOrder({
        id: ORDER,
        customerId: 'c-1',
        merchantId: 'm-1',
        state: OrderState.ORDER_STATE_ACCEPTED,
      });
      const cancel = () =>
        h.call({
          method: 'POST',
          url: path.replace('{id}', ORDER),
          payload: { reason },
          headers: { 'idempotency-key': 'cancel-1' },
          as: [role, sub],
        });
      const first = await cancel();
      const again = await cancel();
      expect(first.statusCode).toBe(200);
      expect(first.json()).toMatchObject({ state: 'CANCELLED', reason });
      expect(again.headers['idempotent-replayed']).toBe('true');
      expect(again.body).toBe(first.body);
    },
  );

  it('scopes the key by path: one key on two orders is two requests', async () => {
    await harness();
    const other = '7d3c1a2e-5b6f-4c8d-9e0f-1a2b3c4d5e70';
    h.backend.addOrder({ id: ORDER, customerId: 'c-1', merchantId: 'm-1' });
    h.backend.addOrder({ id: other, customerId: 'c-2', merchantId: 'm-1' });
    const accept = (id: string) =>
      h.call({
        method: 'POST',
        url: `/v1/merchant/orders/${id}/accept`,
        headers: { 'idempotency-key': 'shift-1' },
        as: ['merchant', 'm-1'],
      });
    expect((await accept(ORDER)).json<{ id: string }>().id).toBe(ORDER);
    expect((await accept(other)).json<{ id: string }>().id).toBe(other);
  });

  it('scopes the key by path without the query string: a retry with `?&` appended is replayed', async () => {
    await harness();
    h.backend.addOrder({ id: ORDER, customerId: 'c-1', merchantId: 'm-1' });
    const accept = (query: string) =>
      h.call({
        method: 'POST',
        url: `/v1/merchant/orders/${ORDER}/accept${query}`,
        headers: { 'idempotency-key': 'a1' },
        as: ['merchant', 'm-1'],
      });
    const first = await accept('');
    const again = await accept('?&');
    expect(first.statusCode).toBe(200);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body).toBe(first.body);
    // An unknown parameter is refused before the key is looked at (and does not spend it).
    const extra = await accept('?retry=2');
    expect(extra.statusCode).toBe(400);
    expect(extra.json()).toMatchObject({ code: 'UNKNOWN_FIELD', fields: [{ field: 'retry' }] });
    expect(h.backend.timelines.get(ORDER)?.map((e) => e.toState)).toHaveLength(2);
  });

  it('compares the query parameters of a POST that declares some, like the body', async () => {
    // No POST of the API has query parameters today; one that gets them must not replay a
    // response to other parameters under the same key.
    await harness({}, (app) =>
      app.post(
        '/v1/test/echo',
        {
          config: { auth: ['customer'], idempotency: 'optional' },
          schema: { querystring: Type.Object({ n: Type.Integer() }, { additionalProperties: false }) },
        },
        async (request) => ({ n: (request.query as { n: number }).n, at: Math.random() }),
      ),
    );
    const echo = (n: number) =>
      h.call({
        method: 'POST',
        url: `/v1/test/echo?n=${n}`,
        headers: { 'idempotency-key': 'q' },
        as: ['customer', 'c-1'],
      });
    const first = await echo(1);
    expect(first.statusCode).toBe(200);
    expect((await echo(1)).body).toBe(first.body);
    const other = await echo(2);
    expect(other.statusCode).toBe(409);
    expect(other.json()).toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED' });
  });
});
