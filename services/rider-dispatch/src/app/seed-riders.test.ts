import { describe, expect, it } from 'vitest';
import { ok, err, codedError } from '@mealpeak/core';
import { greatCircleMetres } from '../domain/geo/projection.ts';
import { DEMO_CITY_CENTRE, demoRiders, drift, seedRiders } from './seed-riders.ts';

const now = new Date('2026-11-20T11:00:00Z');
let seed = 42;
const random = () => ((seed = (seed * 16807) % 2147483647) - 1) / 2147483646;

describe('demo riders', () => {
  it('spreads riders over the disc with staggered shifts and stable ids', () => {
    const riders = demoRiders({
      count: 200,
      centre: DEMO_CITY_CENTRE,
      radiusM: 2_000,
      shiftMinutes: 240,
      idPrefix: 'demo',
      now,
      random,
    });
    expect(riders[0]!.riderId).toBe('demo-0001');
    expect(new Set(riders.map((r) => r.riderId)).size).toBe(200);
    const distances = riders.map((r) => greatCircleMetres(DEMO_CITY_CENTRE, r.position));
    expect(Math.max(...distances)).toBeLessThanOrEqual(2_001);
    // Even density: about a quarter of them within half the radius.
    const inner = distances.filter((d) => d < 1_000).length;
    expect(inner).toBeGreaterThan(30);
    expect(inner).toBeLessThan(80);
    const shifts = riders.map((r) => (r.shiftEndsAt.getTime() - now.getTime()) / 60_000);
    expect(Math.min(...shifts)).toBeGreaterThanOrEqual(120);
    expect(Math.max(...shifts)).toBeLessThanOrEqual(240);
  });

  it('drifts a position by at most the given distance on each axis', () => {
    const moved = drift(DEMO_CITY_CENTRE, 30, random);
    expect(greatCircleMetres(DEMO_CITY_CENTRE, moved)).toBeLessThanOrEqual(30 * Math.SQRT2 + 0.01);
  });

  it('reports which riders could not go online', async () => {
    const riders = demoRiders({
      count: 5,
      centre: DEMO_CITY_CENTRE,
      radiusM: 100,
      shiftMinutes: 60,
      idPrefix: 'x',
      now,
      random,
    });
    const result = await seedRiders(riders, async (r) =>
      r.riderId === 'x-0003' ? err(codedError('unavailable', 'DOWN', 'down')) : ok(undefined),
    );
    expect(result.online).toBe(4);
    expect(result.failed.map((f) => f.riderId)).toEqual(['x-0003']);
  });
});
