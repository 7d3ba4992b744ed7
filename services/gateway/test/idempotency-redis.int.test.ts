import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTestRedis, type TestRedis } from '@mealpeak/testing';
import { createRedis, type Redis } from '@mealpeak/redis';
import { createLogger } from '@mealpeak/telemetry';
import { codedError } from '@mealpeak/core';
import { createRedisIdempotencyStore } from '../src/adapters/redis-idempotency-store.ts';
import { MAX_STORED_REFUSAL_BYTES } from '../src/transport/http/idempotency.ts';
import { createHarness, type Harness } from './support/harness.ts';

/** Idempotency records and rate-limit counters in a real Redis, shared the way replicas share them. */

const order = {
  merchantId: 'm-1',
  lines: [{ itemId: 'i-1', quantity: 2 }],
  dropoff: { lat: 52.5, lng: 13.4 },
  dropoffAddress: 'Somestr. 1',
};
const silent = createLogger({ service: 'gateway-test', level: 'silent' });

let fixture: TestRedis;
let redis: Redis;
let raw: Redis;
const harnesses: Harness[] = [];

async function gateway(env: Record<string, string> = {}): Promise<Harness> {
  const h = await createHarness({
    env,
    idempotency: createRedisIdempotencyStore(redis),
    rateLimitRedis: redis,
  });
  h.backend.addMerchant('m-1');
  harnesses.push(h);
  return h;
}
const place = (h: Harness, key: string, body: object = order) =>
  h.call({
    method: 'POST',
    url: '/v1/orders',
    payload: body,
    headers: { 'idempotency-key': key },
    as: ['customer', 'c-1'],
  });

beforeAll(async () => {
  fixture = await createTestRedis();
  redis = createRedis({ url: fixture.url, keyPrefix: fixture.prefix, logger: silent });
  raw = createRedis({ url: fixture.url, logger: silent });
  await Promise.all([redis.connect(), raw.connect()]);
});
afterEach(async () => {
  await Promise.all(harnesses.splice(0).map((h) => h.close()));
});
afterAll(async () => {
  redis?.disconnect();
  raw?.disconnect();
  await fixture?.cleanup();
});

describe('Idempotency-Key with Redis', () => {
  it('50 concurrent POST /v1/orders with one key place exactly one order and get 50 identical responses', async () => {
    // One customer's 50 at once are over its concurrency cap (20): lifted, this is about the key.
    const h = await gateway({ MAX_IN_FLIGHT_PER_CLIENT: '50' });
    h.backend.placeDelayMs = 100; // the winner is still running while the other 49 arrive
    const responses = await Promise.all(Array.from({ length: 50 }, () => place(h, 'lunch-rush-1')));

    expect(h.backend.placeCalls).toHaveLength(1);
    expect(h.backend.orders.size).toBe(1);
    expect(new Set(responses.map((r) => r.statusCode))).toEqual(new Set([201]));
    expect(new Set(responses.map((r) => r.body)).size).toBe(1);
    expect(new Set(responses.map((r) => r.headers['location'])).size).toBe(1);
    expect(responses.filter((r) => r.headers['idempotent-replayed'] === 'true')).toHaveLength(49);
  });

  it('keeps the response for IDEMPOTENCY_TTL_SECONDS, under the test prefix', async () => {
    const h = await gateway({ IDEMPOTENCY_TTL_SECONDS: '3600' });
    const pattern = `${fixture.prefix}gateway:idem:*`;
    const before = new Set(await raw.keys(pattern));
    expect((await place(h, 'ttl-1')).statusCode).toBe(201);
    const created = (await raw.keys(pattern)).filter((k) => !before.has(k));
    expect(created).toHaveLength(1);
    const record = JSON.parse((await raw.get(created[0]!)) ?? '{}') as { state: string; status: number };
    expect(record).toMatchObject({ state: 'done', status: 201 });
    const ttl = await raw.pttl(created[0]!);
    expect(ttl).toBeGreaterThan(3_590_000);
    expect(ttl).toBeLessThanOrEqual(3_600_000);
  });

  it('keeps a refusal small and for IDEMPOTENCY_REFUSAL_TTL_SECONDS: 50 unknown lines cost ~2 KB for minutes, not 8 KB for a day', async () => {
    const h = await gateway({ IDEMPOTENCY_REFUSAL_TTL_SECONDS: '300' });
    const fields = Array.from({ length: 50 }, (_, i) => ({
      field: `lines[${i}].item_id`,
      message: `item ${'x'.repeat(64)} is not on this menu`,
    }));
    h.backend.failures.set('placeOrder', codedError('not_found', 'ITEM_NOT_FOUND', 'refused', fields));
    const pattern = `${fixture.prefix}gateway:idem:*`;
    const before = new Set(await raw.keys(pattern));
    const first = await place(h, 'refused-1', { ...order, dropoffAddress: 'a'.repeat(500) });
    expect(first.statusCode).toBe(404);
    const created = (await raw.keys(pattern)).filter((k) => !before.has(k));
    expect(created).toHaveLength(1);
    expect(await raw.strlen(created[0]!)).toBeLessThan(MAX_STORED_REFUSAL_BYTES + 300);
    const ttl = await raw.pttl(created[0]!);
    expect(ttl).toBeGreaterThan(200_000); // 300 s, less the test's own time on a slow machine
    expect(ttl).toBeLessThanOrEqual(300_000);
    const again = await place(h, 'refused-1', { ...order, dropoffAddress: 'a'.repeat(500) });
    expect(again.statusCode).toBe(404);
    expect(again.json()).toMatchObject({
      code: 'ITEM_NOT_FOUND',
      requestId: first.json<{ requestId: string }>().requestId,
    });
    expect(again.headers['idempotent-replayed']).toBe('true');
  });

  it('is shared by replicas: a retry that lands on another gateway is replayed, a changed body refused', async () => {
    const a = await gateway();
    const b = await gateway();
    const first = await place(a, 'cross-1');
    const again = await place(b, 'cross-1');
    expect(again.body).toBe(first.body);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect((await place(b, 'cross-1', { ...order, dropoffAddress: 'elsewhere' })).statusCode).toBe(409);
    expect(b.backend.placeCalls).toHaveLength(0);
  });

  it('only the owner of a pending record completes or releases it', async () => {
    const store = createRedisIdempotencyStore(redis);
    expect(await store.claim('owner-test', 'token-a', 'fp', 10_000)).toEqual({ claimed: true });
    const response = { status: 201, headers: {}, body: '{}' };
    await store.complete('owner-test', 'token-b', 'fp', response, 60_000);
    await store.release('owner-test', 'token-b');
    expect(await store.read('owner-test')).toEqual({ state: 'pending', token: 'token-a', fingerprint: 'fp' });
    await store.complete('owner-test', 'token-a', 'fp', response, 60_000);
    expect(await store.read('owner-test')).toEqual({ state: 'done', fingerprint: 'fp', ...response });
    await store.release('owner-test', 'token-a'); // too late: a finished record stays
    expect((await store.read('owner-test'))?.state).toBe('done');
  });
});

describe('rate limits in Redis', () => {
  it('count across replicas: the budget is per customer, not per gateway', async () => {
    const a = await gateway({ RATE_LIMIT_PER_MINUTE_CUSTOMER: '3' });
    const b = await gateway({ RATE_LIMIT_PER_MINUTE_CUSTOMER: '3' });
    const get = (h: Harness) => h.call({ url: '/v1/orders', as: ['customer', 'c-shared'] });
    expect((await get(a)).statusCode).toBe(200);
    expect((await get(b)).statusCode).toBe(200);
    expect((await get(a)).statusCode).toBe(200);
    const limited = await get(b);
    expect(limited.statusCode).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
  });
});

describe('Redis down', () => {
  it('fails open: no rate limit, no replay, and the deterministic order id still prevents a duplicate order', async () => {
    const down = createRedis({ url: 'redis://127.0.0.1:1', logger: silent });
    await down.connect().catch(() => undefined);
    try {
      const h = await createHarness({
        env: { RATE_LIMIT_PER_MINUTE_CUSTOMER: '1' },
        idempotency: createRedisIdempotencyStore(down),
        rateLimitRedis: down,
      });
      harnesses.push(h);
      h.backend.addMerchant('m-1');
      const first = await place(h, 'offline-1');
      const again = await place(h, 'offline-1');
      expect(first.statusCode).toBe(201);
      expect(again.statusCode).toBe(201);
      expect(again.headers['idempotent-replayed']).toBeUndefined();
      expect(again.json<{ id: string }>().id).toBe(first.json<{ id: string }>().id);
      expect(h.backend.orders.size).toBe(1);
    } finally {
      down.disconnect();
    }
  });
});
