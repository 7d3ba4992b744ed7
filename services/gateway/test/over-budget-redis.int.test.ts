import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTestRedis, type TestRedis } from '@mealpeak/testing';
import { createRedis, type Redis } from '@mealpeak/redis';
import { createLogger } from '@mealpeak/telemetry';
import { createHarness, type Harness } from './support/harness.ts';

const silent = createLogger({ service: 'gateway-test', level: 'silent' });
let fixture: TestRedis;
let redis: Redis;
let h: Harness | undefined;

beforeAll(async () => {
  fixture = await createTestRedis();
  redis = createRedis({ url: fixture.url, keyPrefix: fixture.prefix, logger: silent });
  await redis.connect();
});
afterEach(async () => {
  await h?.close();
});
afterAll(async () => {
  redis?.disconnect();
  await fixture?.cleanup();
});

/** The rate limit's counters in Redis, without the test prefix (KEYS does not apply it). */
const counters = async () =>
  (await redis.keys(`${fixture.prefix}gateway:rl:*`)).map((k) => k.slice(fixture.prefix.length));

describe('a client over its budget (Redis-backed rate limit)', () => {
  it('is answered 429 from memory until its window ends, without a Redis round trip', async () => {
    h = await createHarness({ env: { RATE_LIMIT_PER_MINUTE_CUSTOMER: '2' }, rateLimitRedis: redis });
    const get = (sub: string) => h!.call({ url: '/v1/orders', as: ['customer', sub] });
    expect((await get('c-1')).statusCode).toBe(200);
    expect((await get('c-1')).statusCode).toBe(200);
    const first = await get('c-1');
    expect(first.statusCode).toBe(429);
    expect(h.app.admission.knownOverBudget()).toBe(1);

    // Take the counter away: a request that reached Redis would start a new window and pass, and
    // would leave a counter behind. The replica answers from what it learnt instead.
    for (const key of await counters()) await redis.del(key);
    const again = await get('c-1');
    expect(again.statusCode).toBe(429);
    expect(again.json<{ code: string }>().code).toBe('RATE_LIMITED');
    const retryAfter = Number(again.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(Number(first.headers['retry-after']));
    expect(await counters()).toEqual([]);

    // Another customer is counted in Redis as usual.
    expect((await get('c-2')).statusCode).toBe(200);
    expect(await counters()).toHaveLength(1);
  });
});
