import { greatCircleMetres } from '@mealpeak/core';
import { createTestRedis, type TestRedis } from '@mealpeak/testing';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createMemoryPositions,
  createPositionReader,
  createPositionWriter,
  positionKeys,
  type PingOutcome,
  type PositionCheck,
  type PositionPing,
} from '../src/index.ts';

// Judging pings in APPLY_PING (Lua) against real Redis: what dispatch reads after a teleport in
// each mode, and the Lua held to the same answers as domain/plausibility.ts on random tracks.

const centre = { lat: 31.23, lng: 121.47 };
const M_PER_DEG = greatCircleMetres({ lat: 0, lng: 0 }, { lat: 1, lng: 0 });
const north = (m: number) => ({ lat: centre.lat + m / M_PER_DEG, lng: centre.lng });
const T0 = 1_800_000_000_000;

let fixture: TestRedis;
let run = 0;
beforeAll(async () => {
  fixture = await createTestRedis();
});
afterAll(async () => {
  await fixture?.cleanup();
});

function index(check: PositionCheck, ttlMs = 60_000) {
  const clock = { now: T0 + 60_000 };
  const options = { namespace: `p${++run}`, ttlMs, now: () => clock.now };
  const writer = createPositionWriter(fixture.client, { ...options, check });
  const reader = createPositionReader(fixture.client, options);
  return { writer, reader, clock, keys: positionKeys(options.namespace) };
}

const ping = (riderId: string, recordedAt: number, northM: number): PositionPing => ({
  riderId,
  ...north(northM),
  recordedAt,
});

describe('plausibility check in the Redis index', () => {
  it('enforce: a teleport next to a restaurant is not what dispatch reads, the next honest fix is', async () => {
    const { writer, reader, clock } = index('enforce');
    expect(await writer.write(ping('r-1', T0, 0))).toEqual({ status: 'accepted' });
    expect(await writer.write(ping('r-1', T0 + 5_000, 4_000))).toEqual({ status: 'dropped_implausible' });
    expect((await reader.get('r-1'))!.lat).toBeCloseTo(north(0).lat, 5);
    expect(await reader.nearby(north(4_000), 500, 10)).toEqual([]);
    // The rider kept riding: 150 m in 10 s.
    expect(await writer.write(ping('r-1', T0 + 10_000, 150))).toEqual({ status: 'accepted' });
    expect((await reader.get('r-1'))!.lat).toBeCloseTo(north(150).lat, 5);
    await writer.close();
    expect(clock.now).toBe(T0 + 60_000);
  });

  it('flag: the teleport is used and marked', async () => {
    const { writer, reader } = index('flag');
    await writer.write(ping('r-1', T0, 0));
    expect(await writer.write(ping('r-1', T0 + 5_000, 4_000))).toEqual({
      status: 'accepted',
      jump: 'flagged',
    });
    expect((await reader.nearby(north(4_000), 500, 10)).map((r) => r.riderId)).toEqual(['r-1']);
    await writer.close();
  });

  it('off: nothing is judged (and no suspects are kept)', async () => {
    const { writer, keys } = index('off');
    await writer.write(ping('r-1', T0, 0));
    expect(await writer.write(ping('r-1', T0 + 5_000, 4_000))).toEqual({ status: 'accepted' });
    expect(await fixture.client.exists(keys.suspects)).toBe(0);
    await writer.close();
  });

  it('enforce: agreeing fixes at a new place move the rider there, and a long gap lets a far fix in', async () => {
    const { writer, reader, keys, clock } = index('enforce');
    await writer.write(ping('r-1', T0, 0));
    const run = [5_000, 10_000, 15_000].map((dt, i) => writer.write(ping('r-1', T0 + dt, 8_000 + i * 40)));
    expect((await Promise.all(run)).map((o) => o.status)).toEqual([
      'dropped_implausible',
      'dropped_implausible',
      'accepted',
    ]);
    expect((await reader.get('r-1'))!.lat).toBeCloseTo(north(8_080).lat, 5);
    expect(await fixture.client.hexists(keys.suspects, 'r-1')).toBe(0);
    // 2.5 km further, 60 s later (a tunnel): within 250 m + 40 m/s x 60 s.
    clock.now = T0 + 75_000;
    expect(await writer.write(ping('r-1', T0 + 75_000, 10_500))).toEqual({ status: 'accepted' });
    await writer.close();
  });

  it('forgets the suspects of a rider removed or purged', async () => {
    const { writer, keys, clock } = index('enforce');
    await writer.write(ping('a', T0, 0));
    await writer.write(ping('a', T0 + 1_000, 9_000));
    await writer.write(ping('b', T0, 0));
    await writer.write(ping('b', T0 + 1_000, 9_000));
    expect(await fixture.client.hlen(keys.suspects)).toBe(2);
    await writer.remove('a');
    expect(await fixture.client.hkeys(keys.suspects)).toEqual(['b']);
    clock.now = T0 + 120_000;
    expect(await writer.purgeSilent()).toBe(1);
    expect(await fixture.client.hlen(keys.suspects)).toBe(0);
    await writer.close();
  });

  it('gives the same outcomes as the in-memory index (domain/plausibility.ts) on random tracks', async () => {
    // Steps are well inside or well outside the allowance, so GEO's ~0.6 m rounding of the stored
    // fix cannot tip a comparison.
    const stepArb = fc.record({
      dtMs: fc.integer({ min: -3_000, max: 20_000 }),
      metres: fc.oneof(fc.integer({ min: -100, max: 100 }), fc.integer({ min: 3_000, max: 6_000 })),
    });
    const seen = new Set<string>();
    await fc.assert(
      fc.asyncProperty(fc.array(stepArb, { minLength: 1, maxLength: 25 }), async (steps) => {
        // An hour's TTL: no fix of a track (at most ~8 min long) is stale.
        const redisSide = index('enforce', 3_600_000);
        const memory = createMemoryPositions({ ttlMs: 3_600_000, now: () => T0 + 600_000, check: 'enforce' });
        const pings: PositionPing[] = [];
        let t = T0;
        let m = 0;
        for (const s of steps) {
          t += s.dtMs;
          m += s.metres;
          pings.push(ping('r', t, m));
        }
        redisSide.clock.now = T0 + 600_000;
        const fromRedis: PingOutcome[] = [];
        const fromMemory: PingOutcome[] = [];
        for (const p of pings) {
          fromRedis.push(await redisSide.writer.write(p));
          fromMemory.push(await memory.writer.write(p));
        }
        await redisSide.writer.close();
        expect(fromRedis).toEqual(fromMemory);
        for (const o of fromRedis) seen.add(o.status === 'accepted' ? `accepted:${o.jump ?? ''}` : o.status);
      }),
      { numRuns: 40 },
    );
    // The tracks went through every branch of the rule.
    expect([...seen].sort()).toEqual([
      'accepted:',
      'accepted:relocated',
      'dropped_implausible',
      'dropped_out_of_order',
    ]);
  });
});
