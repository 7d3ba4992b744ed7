import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestRedis, type TestRedis } from '@mealpeak/testing';
import {
  createPositionReader,
  createPositionWriter,
  positionKeys,
  type PositionPing,
  type PositionReader,
  type PositionWriter,
} from '../src/index.ts';

// A point in Shanghai and offsets in metres along the axes (1e-5 deg lat ~ 1.11 m).
const centre = { lat: 31.23, lng: 121.47 };
const north = (m: number) => ({ lat: centre.lat + m / 111_320, lng: centre.lng });

describe('rider positions against real Redis', () => {
  let fixture: TestRedis;
  let clock: number;
  let flushes: number[];
  let writer: PositionWriter;
  let reader: PositionReader;
  let run = 0;

  beforeAll(async () => {
    fixture = await createTestRedis();
  });
  afterAll(async () => {
    await writer?.close();
    await fixture?.cleanup();
  });
  beforeEach(async () => {
    await writer?.close();
    clock = 1_800_000_000_000;
    flushes = [];
    // A namespace per test: every case starts from an empty index.
    const options = { namespace: `t${++run}`, ttlMs: 60_000, now: () => clock };
    writer = createPositionWriter(fixture.client, { ...options, onFlush: (f) => flushes.push(f.size) });
    reader = createPositionReader(fixture.client, options);
  });

  const ping = (riderId: string, at: number, where = centre): PositionPing => ({
    riderId,
    ...where,
    recordedAt: at,
  });

  it('stores a ping and answers get, getMany and nearby with its position and age', async () => {
    expect(await writer.write(ping('r-1', clock - 2_000, north(100)))).toEqual({ status: 'accepted' });
    const got = await reader.get('r-1');
    expect(got).toMatchObject({ riderId: 'r-1', recordedAt: clock - 2_000, ageMs: 2_000 });
    expect(got!.lat).toBeCloseTo(north(100).lat, 5);
    expect(got!.lng).toBeCloseTo(centre.lng, 5);
    expect([...(await reader.getMany(['r-1', 'nobody'])).keys()]).toEqual(['r-1']);
    const [near] = await reader.nearby(centre, 500, 10);
    expect(near?.riderId).toBe('r-1');
    expect(near!.distanceM).toBeGreaterThan(95);
    expect(near!.distanceM).toBeLessThan(105);
  });

  it('drops a fix older than (or as old as) the stored one, keeping the newer position', async () => {
    expect(await writer.write(ping('r-1', clock - 1_000, north(10)))).toEqual({ status: 'accepted' });
    expect(await writer.write(ping('r-1', clock - 5_000, north(900)))).toEqual({
      status: 'dropped_out_of_order',
    });
    expect(await writer.write(ping('r-1', clock - 1_000, north(900)))).toEqual({
      status: 'dropped_out_of_order',
    });
    expect((await reader.get('r-1'))!.lat).toBeCloseTo(north(10).lat, 5);
    expect(await writer.write(ping('r-1', clock, north(900)))).toEqual({ status: 'accepted' });
    expect((await reader.get('r-1'))!.lat).toBeCloseTo(north(900).lat, 5);
  });

  it('stores a fix from a clock running ahead as of now, so the next honest fix still moves the rider', async () => {
    expect(await writer.write(ping('fast', clock + 20_000, north(10)))).toEqual({ status: 'accepted' });
    expect((await reader.get('fast'))!.recordedAt).toBe(clock);
    clock += 1_000;
    expect(await writer.write(ping('fast', clock, north(500)))).toEqual({ status: 'accepted' });
    expect((await reader.get('fast'))!.lat).toBeCloseTo(north(500).lat, 5);
    // A batch from that clock, oldest first, all stamped now: the newest fix is the one kept.
    const batch = await Promise.all(
      [10_000, 15_000, 20_000].map((ahead, i) =>
        writer.write(ping('fast', clock + ahead, north(600 + i * 100))),
      ),
    );
    expect(batch.map((b) => b.status)).toEqual(['accepted', 'accepted', 'accepted']);
    expect((await reader.get('fast'))!.lat).toBeCloseTo(north(800).lat, 5);
    // An honest fix as old as the stored one is still a repeat.
    expect(await writer.write(ping('fast', clock, north(900)))).toEqual({ status: 'dropped_out_of_order' });
  });

  it('drops stale fixes and rejects malformed ones without writing anything', async () => {
    expect(await writer.write(ping('r-1', clock - 61_000))).toEqual({ status: 'dropped_stale' });
    const bad = await writer.write({ riderId: 'r-2', lat: 95, lng: 121, recordedAt: clock });
    expect(bad.status === 'invalid' && bad.error.fields?.map((f) => f.field)).toEqual(['lat']);
    const future = await writer.write(ping('r-3', clock + 60_000));
    expect(future.status === 'invalid' && future.error.fields?.[0]?.field).toBe('recordedAt');
    expect(flushes).toEqual([]);
    expect(await reader.getMany(['r-1', 'r-2', 'r-3'])).toEqual(new Map());
  });

  it('forgets a rider who went silent for longer than the TTL, and the janitor removes them', async () => {
    await writer.write(ping('quiet', clock - 10_000));
    await writer.write(ping('chatty', clock - 10_000, north(50)));
    clock += 45_000;
    await writer.write(ping('chatty', clock, north(60)));
    clock += 20_000; // quiet: last fix 75 s ago; chatty: 20 s ago
    expect(await reader.get('quiet')).toBeUndefined();
    expect((await reader.nearby(centre, 1_000, 10)).map((r) => r.riderId)).toEqual(['chatty']);
    const keys = positionKeys(`t${run}`);
    expect(await fixture.client.zcard(keys.geo)).toBe(2);
    expect(await writer.purgeSilent()).toBe(1);
    expect(await fixture.client.zrange(keys.geo, '0', '-1')).toEqual(['chatty']);
    expect(await fixture.client.zrange(keys.seen, '0', '-1')).toEqual(['chatty']);
  });

  it('applies 1,000 concurrent pings in one pipelined flush, each caller getting its own outcome', async () => {
    const pings: PositionPing[] = [];
    for (let i = 0; i < 900; i++) pings.push(ping(`r-${i}`, clock - 1_000, north(i)));
    // 100 late duplicates of the first riders, older than the fixes queued before them.
    for (let i = 0; i < 100; i++) pings.push(ping(`r-${i}`, clock - 2_000, north(5_000)));
    const outcomes = await Promise.all(pings.map((p) => writer.write(p)));
    expect(flushes).toEqual([1_000]);
    expect(outcomes.slice(0, 900).every((o) => o.status === 'accepted')).toBe(true);
    expect(outcomes.slice(900).every((o) => o.status === 'dropped_out_of_order')).toBe(true);
    expect(await reader.nearby(centre, 2_000, 5_000)).toHaveLength(900);
  });

  it('answers radius queries nearest first, within the radius and the limit, skipping silent riders', async () => {
    await Promise.all([
      writer.write(ping('at-100', clock, north(100))),
      writer.write(ping('at-300', clock, north(300))),
      writer.write(ping('at-700', clock, north(700))),
      writer.write(ping('at-2000', clock, north(2_000))),
      // Silent riders closer than all of them, not yet purged: the search must look past them.
      ...Array.from({ length: 10 }, (_, i) => writer.write(ping(`silent-${i}`, clock - 59_000, north(i)))),
    ]);
    clock += 2_000;
    const ids = async (radius: number, limit: number) =>
      (await reader.nearby(centre, radius, limit)).map((r) => r.riderId);
    expect(await ids(1_000, 10)).toEqual(['at-100', 'at-300', 'at-700']);
    expect(await ids(1_000, 2)).toEqual(['at-100', 'at-300']);
    expect(await ids(5_000, 10)).toEqual(['at-100', 'at-300', 'at-700', 'at-2000']);
    expect(await ids(50, 10)).toEqual([]);
  });

  it('takes a rider out at once on remove, and recovers when Redis lost its script cache', async () => {
    await writer.write(ping('r-1', clock));
    await writer.remove('r-1');
    expect(await reader.get('r-1')).toBeUndefined();
    await fixture.client.script('FLUSH');
    expect(await writer.write(ping('r-1', clock + 1))).toEqual({ status: 'accepted' });
    expect(await reader.get('r-1')).toMatchObject({ riderId: 'r-1' });
  });
});
