import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createRedis, type Redis } from '@mealpeak/redis';
import { createPositionReader, positionKeys, type PositionReader } from '@mealpeak/rider-positions';
import { createLogger } from '@mealpeak/telemetry';
import { createTestRedis, type TestRedis } from '@mealpeak/testing';
import { createRedisPositions } from '../src/adapters/redis-positions.ts';
import { createHarness, type Harness } from './support/harness.ts';

/**
 * POST /v1/rider/positions through inject() into a real Redis, read back with the reader
 * rider-dispatch uses: the gateway and dispatch agree on the index.
 */

const silent = createLogger({ service: 'gateway-test', level: 'silent' });
const TTL_MS = 60_000;

let fixture: TestRedis;
let redis: Redis;
let run = 0;
let namespace: string;
let flushes: number[];
let positions: ReturnType<typeof createRedisPositions>;
let reader: PositionReader;
let h: Harness;

beforeAll(async () => {
  fixture = await createTestRedis();
  // The gateway's client, with the test's prefix as REDIS_KEY_PREFIX.
  redis = createRedis({ url: fixture.url, keyPrefix: fixture.prefix, logger: silent });
  await redis.connect();
});
afterEach(async () => {
  await h?.close();
  await positions?.close();
});
afterAll(async () => {
  redis?.disconnect();
  await fixture?.cleanup();
});

async function gateway(client: Redis = redis): Promise<Harness> {
  namespace = `gw-${++run}`; // every case starts from an empty index
  flushes = [];
  positions = createRedisPositions(client, {
    namespace,
    ttlMs: TTL_MS,
    check: 'flag',
    logger: silent,
    onFlush: (f) => flushes.push(f.size),
  });
  reader = createPositionReader(fixture.client, { namespace, ttlMs: TTL_MS });
  h = await createHarness({ ports: { positions }, env: { RATE_LIMIT_PER_MINUTE_RIDER: '1000' } });
  return h;
}

const ago = (ms: number) => new Date(Date.now() - ms).toISOString();
const report = (rider: string, pings: { lat: number; lng: number; recordedAt: string }[]) =>
  h.call({ method: 'POST', url: '/v1/rider/positions', payload: { pings }, as: ['rider', rider] });

describe('rider positions through the gateway into Redis', () => {
  it('writes a ping the dispatch reader finds, under REDIS_KEY_PREFIX and the namespace', async () => {
    await gateway();
    const recordedAt = ago(2_000);
    const res = await report('r-1', [{ lat: 31.2304, lng: 121.4737, recordedAt }]);
    expect(res.statusCode).toBe(202);
    expect(res.json()).toEqual({ accepted: 1, dropped: 0, implausible: 0 });
    const found = await reader.get('r-1');
    expect(found?.recordedAt).toBe(Date.parse(recordedAt));
    expect(found?.lat).toBeCloseTo(31.2304, 5);
    expect(found?.lng).toBeCloseTo(121.4737, 5);
    const raw = createRedis({ url: fixture.url, logger: silent });
    await raw.connect();
    try {
      expect(await raw.exists(`${fixture.prefix}${positionKeys(namespace).geo}`)).toBe(1);
    } finally {
      raw.disconnect();
    }
  });

  it('drops an older ping after a newer one, keeping the newer position', async () => {
    await gateway();
    expect((await report('r-1', [{ lat: 31.23, lng: 121.47, recordedAt: ago(1_000) }])).json()).toEqual({
      accepted: 1,
      dropped: 0,
      implausible: 0,
    });
    const late = await report('r-1', [{ lat: 31.3, lng: 121.5, recordedAt: ago(5_000) }]);
    expect(late.statusCode).toBe(202);
    expect(late.json()).toEqual({ accepted: 0, dropped: 1, implausible: 0 });
    expect((await reader.get('r-1'))?.lat).toBeCloseTo(31.23, 5);
  });

  it('lands 200 concurrent pings of 200 riders, many per Redis pipeline', async () => {
    await gateway();
    const riders = Array.from({ length: 200 }, (_, i) => `r-${i}`);
    const recordedAt = ago(1_000);
    const responses = await Promise.all(
      riders.map((r, i) => report(r, [{ lat: 31.2 + i * 1e-4, lng: 121.47, recordedAt }])),
    );
    expect(responses.map((r) => r.statusCode)).toEqual(riders.map(() => 202));
    expect(responses.every((r) => r.json().accepted === 1)).toBe(true);
    expect((await reader.getMany(riders)).size).toBe(200);
    expect(flushes.reduce((a, b) => a + b, 0)).toBe(200);
    expect(flushes.length).toBeLessThan(200);
    expect(Math.max(...flushes)).toBeGreaterThan(1);
    expect((await reader.get('r-123'))?.lat).toBeCloseTo(31.2123, 5);
  });

  it('answers 503 with Retry-After while Redis is unreachable (the rider app retries)', async () => {
    const down = createRedis({ url: 'redis://127.0.0.1:1', logger: silent });
    await down.connect().catch(() => undefined);
    try {
      await gateway(down);
      const res = await report('r-1', [{ lat: 31.23, lng: 121.47, recordedAt: ago(1_000) }]);
      expect(res.statusCode).toBe(503);
      expect(res.headers['retry-after']).toBe('5');
      expect(res.json()).toMatchObject({ code: 'POSITIONS_UNAVAILABLE' });
    } finally {
      down.disconnect();
    }
  });
});
