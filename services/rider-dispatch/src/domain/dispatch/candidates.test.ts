import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createRiderPool, nearestRiders } from './candidates.ts';
import { createGridIndex } from './spatial-index.ts';
import { rider } from './test-support.ts';
import { createSpeedTravelModel, distance } from './travel.ts';

const point = fc.record({
  x: fc.integer({ min: -5000, max: 5000 }),
  y: fc.integer({ min: -5000, max: 5000 }),
});

describe('grid index', () => {
  it('visits every item once, and each ring bound is below every item still unvisited', () => {
    fc.assert(
      fc.property(fc.array(point, { maxLength: 60 }), point, (points, at) => {
        const index = createGridIndex(points);
        const seen: number[] = [];
        index.scan(
          at,
          (i) => seen.push(i),
          (bound) => {
            const unvisited = points.filter((_, i) => !seen.includes(i));
            for (const p of unvisited) expect(distance(p, at)).toBeGreaterThanOrEqual(bound - 1e-9);
            return false;
          },
        );
        expect([...seen].sort((a, b) => a - b)).toEqual(points.map((_, i) => i));
      }),
      { numRuns: 200 },
    );
  });

  it('finds points far outside its own box', () => {
    const index = createGridIndex([{ x: 0, y: 0 }]);
    const seen: number[] = [];
    index.scan(
      { x: 1e6, y: -1e6 },
      (i) => seen.push(i),
      () => false,
    );
    expect(seen).toEqual([0]);
  });
});

describe('nearestRiders', () => {
  it('returns the k earliest arrivals, as an exhaustive search does', () => {
    const travel = createSpeedTravelModel(4);
    const riderArb = fc.record({ position: point, freeIn: fc.integer({ min: -100, max: 3000 }) });
    fc.assert(
      fc.property(
        fc.array(riderArb, { maxLength: 40 }),
        point,
        fc.integer({ min: 1, max: 8 }),
        (list, at, k) => {
          const pool = createRiderPool(
            list.map((r, i) => rider(`r${String(i).padStart(2, '0')}`, r.position, 1000 + r.freeIn)),
            1000,
          );
          const found = nearestRiders(pool, at, 1000, k, travel, () => true).map((c) => c.arriveAt);
          const all = pool.riders
            .map((r, i) => pool.freeAt[i]! + travel.seconds(r.position, at))
            .sort((a, b) => a - b);
          expect(found).toEqual(all.slice(0, k));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('skips riders the filter rejects', () => {
    const pool = createRiderPool([rider('a', { x: 1, y: 0 }), rider('b', { x: 50, y: 0 })], 0);
    const travel = createSpeedTravelModel(1);
    const found = nearestRiders(pool, { x: 0, y: 0 }, 0, 1, travel, (i) => pool.riders[i]!.id !== 'a');
    expect(found.map((c) => pool.riders[c.rider]!.id)).toEqual(['b']);
  });
});
