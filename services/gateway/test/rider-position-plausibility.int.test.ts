import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { greatCircleMetres } from '@mealpeak/core';
import { createRedis, type Redis } from '@mealpeak/redis';
import { createPositionReader, type PositionCheck, type PositionReader } from '@mealpeak/rider-positions';
import { Attr, createLogger } from '@mealpeak/telemetry';
import { installInMemoryMetrics } from '@mealpeak/telemetry/testing';
import { createTestRedis, type TestRedis } from '@mealpeak/testing';
import type { Harness } from './support/harness.ts';

/**
 * A teleporting rider through POST /v1/rider/positions (inject) into a real Redis, read back with
 * the reader rider-dispatch uses for offers and the handover check (ADR 0018).
 */

// The provider must be global before the adapter takes its meter.
const collected = installInMemoryMetrics();
const { GatewayMetric, createRedisPositions } = await import('../src/adapters/redis-positions.ts');
const { createHarness } = await import('./support/harness.ts');

const silent = createLogger({ service: 'gateway-test', level: 'silent' });
const M_PER_DEG = greatCircleMetres({ lat: 0, lng: 0 }, { lat: 1, lng: 0 });
const home = { lat: 31.23, lng: 121.47 };
// 4 km north: next to a restaurant across town.
const restaurant = { lat: home.lat + 4_000 / M_PER_DEG, lng: home.lng };

let fixture: TestRedis;
let redis: Redis;
let run = 0;
let positions: ReturnType<typeof createRedisPositions>;
let reader: PositionReader;
let h: Harness;

beforeAll(async () => {
  fixture = await createTestRedis();
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
  await collected.shutdown();
});

async function gateway(check: PositionCheck): Promise<void> {
  const namespace = `plaus-${++run}`;
  positions = createRedisPositions(redis, { namespace, ttlMs: 60_000, check, logger: silent });
  reader = createPositionReader(fixture.client, { namespace, ttlMs: 60_000 });
  h = await createHarness({ ports: { positions }, env: { RATE_LIMIT_PER_MINUTE_RIDER: '1000' } });
}

const ago = (ms: number) => new Date(Date.now() - ms).toISOString();
const report = (rider: string, pings: { lat: number; lng: number; recordedAt: string }[]) =>
  h.call({ method: 'POST', url: '/v1/rider/positions', payload: { pings }, as: ['rider', rider] });
/** Riders dispatch would find within 500 m of the restaurant. */
const nearRestaurant = async () => (await reader.nearby(restaurant, 500, 10)).map((r) => r.riderId);
const implausibleCount = async (used: boolean) =>
  (await collected.values(GatewayMetric.POSITIONS_REJECTED))
    .filter(
      (p) =>
        p.attributes[Attr.POSITION_REJECT_REASON] === 'implausible' &&
        p.attributes[Attr.POSITION_USED] === used,
    )
    .reduce((sum, p) => sum + p.value, 0);

describe('implausible jumps through the gateway', () => {
  it('enforce: a teleport next to a restaurant is a 202 the app need not retry, and dispatch does not see it', async () => {
    await gateway('enforce');
    const before = await implausibleCount(false);
    expect((await report('spoofer', [{ ...home, recordedAt: ago(6_000) }])).statusCode).toBe(202);
    const res = await report('spoofer', [{ ...restaurant, recordedAt: ago(1_000) }]);
    expect(res.statusCode).toBe(202);
    expect(res.json()).toEqual({ accepted: 0, dropped: 1, implausible: 1 });
    expect(await nearRestaurant()).toEqual([]);
    expect((await reader.get('spoofer'))?.lat).toBeCloseTo(home.lat, 5);
    expect((await implausibleCount(false)) - before).toBe(1);
  });

  it('flag: the teleport is used but counted', async () => {
    await gateway('flag');
    const before = await implausibleCount(true);
    await report('flagged', [{ ...home, recordedAt: ago(6_000) }]);
    const res = await report('flagged', [{ ...restaurant, recordedAt: ago(1_000) }]);
    expect(res.json()).toEqual({ accepted: 1, dropped: 0, implausible: 0 });
    expect(await nearRestaurant()).toEqual(['flagged']);
    expect((await implausibleCount(true)) - before).toBe(1);
  });

  it('enforce: a move confirmed by agreeing fixes is accepted, and counted as a relocation', async () => {
    await gateway('enforce');
    const relocations = async () =>
      (await collected.values(GatewayMetric.POSITIONS_RELOCATED)).reduce((sum, p) => sum + p.value, 0);
    const before = await relocations();
    await report('moved', [{ ...home, recordedAt: ago(30_000) }]);
    // The app had buffered fixes at the new place (a wrong stored fix, or a real jump): 5 s apart.
    const res = await report(
      'moved',
      [16_000, 11_000, 6_000, 1_000].map((ms, i) => ({
        lat: restaurant.lat + (i * 20) / M_PER_DEG,
        lng: restaurant.lng,
        recordedAt: ago(ms),
      })),
    );
    expect(res.json()).toEqual({ accepted: 2, dropped: 2, implausible: 2 });
    expect(await nearRestaurant()).toEqual(['moved']);
    expect((await relocations()) - before).toBe(1);
  });
});
