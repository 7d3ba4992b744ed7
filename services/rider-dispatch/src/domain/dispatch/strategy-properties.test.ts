import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createGreedyStrategy } from './greedy-strategy.ts';
import { createOptimizingStrategy } from './optimizing-strategy.ts';
import { planRoute } from './route-plan.ts';
import { testParams } from './test-support.ts';
import type { DispatchSnapshot, DispatchStrategy, OrderSnapshot, RiderSnapshot } from './types.ts';

const RESTAURANTS = [
  { id: 'A', x: 0, y: 0 },
  { id: 'B', x: 1500, y: 200 },
  { id: 'C', x: -800, y: 1200 },
  { id: 'D', x: 400, y: -2000 },
];
const NOW = 10_000;
const coordinate = fc.integer({ min: -3000, max: 3000 });

const orderArb = fc.record({
  restaurant: fc.integer({ min: 0, max: RESTAURANTS.length - 1 }),
  dropoff: fc.record({ x: coordinate, y: coordinate }),
  placedAgo: fc.integer({ min: 0, max: 1800 }),
  prep: fc.integer({ min: 0, max: 2400 }),
});
const riderArb = fc.record({
  position: fc.record({ x: coordinate, y: coordinate }),
  freeIn: fc.integer({ min: -900, max: 2400 }),
  shiftLeft: fc.integer({ min: -60, max: 14_400 }),
});

/** Random rounds: up to 30 orders over four restaurants, up to 20 riders idle, busy or leaving. */
const snapshotArb = fc
  .record({ orders: fc.array(orderArb, { maxLength: 30 }), riders: fc.array(riderArb, { maxLength: 20 }) })
  .map(({ orders, riders }): DispatchSnapshot => ({
    now: NOW,
    orders: orders.map((o, i): OrderSnapshot => {
      const r = RESTAURANTS[o.restaurant]!;
      const placedAt = NOW - o.placedAgo;
      return {
        id: `o${i}`,
        restaurantId: r.id,
        pickup: { x: r.x, y: r.y },
        dropoff: o.dropoff,
        placedAt,
        readyAt: placedAt + o.prep,
        promisedBy: placedAt + 2400,
      };
    }),
    riders: riders.map((r, i): RiderSnapshot => ({
      id: `r${i}`,
      position: r.position,
      availableAt: NOW + r.freeIn,
      shiftEndsAt: NOW + r.shiftLeft,
    })),
  }));

const strategies: [string, DispatchStrategy][] = [
  ['greedy', createGreedyStrategy()],
  ['optimized', createOptimizingStrategy()],
  ['optimized without holding', createOptimizingStrategy({ holding: false })],
];

describe.each(strategies)('%s decisions', (_, strategy) => {
  const params = testParams();

  it('give no rider two bundles, never assign an order twice, and account for every order', () => {
    fc.assert(
      fc.property(snapshotArb, (snapshot) => {
        const { assignments, held } = strategy.decide(snapshot, params);
        const riders = assignments.map((a) => a.riderId);
        expect(new Set(riders).size).toBe(riders.length);
        const assigned = assignments.flatMap((a) => a.orderIds);
        expect(new Set(assigned).size).toBe(assigned.length);
        expect(assigned.filter((id) => held.includes(id))).toEqual([]);
        expect([...assigned, ...held].sort()).toEqual(snapshot.orders.map((o) => o.id).sort());
      }),
      { numRuns: 150 },
    );
  });

  it('bundle orders of one restaurant only, and send only idle riders who pick up within their shift', () => {
    fc.assert(
      fc.property(snapshotArb, (snapshot) => {
        const orders = new Map(snapshot.orders.map((o) => [o.id, o]));
        const riders = new Map(snapshot.riders.map((r) => [r.id, r]));
        for (const a of strategy.decide(snapshot, params).assignments) {
          const bundle = a.orderIds.map((id) => orders.get(id)!);
          expect(bundle.every((o) => o.restaurantId === a.restaurantId)).toBe(true);
          expect(bundle.length).toBeLessThanOrEqual(params.maxBundleSize);
          const r = riders.get(a.riderId)!;
          expect(r.availableAt).toBeLessThanOrEqual(snapshot.now);
          expect(a.plan).toEqual(
            planRoute({ position: r.position, departAt: snapshot.now }, bundle, params.travel, params),
          );
          expect(a.plan.pickupAt).toBeLessThanOrEqual(r.shiftEndsAt);
        }
      }),
      { numRuns: 150 },
    );
  });

  it('are deterministic: the same snapshot in any input order gives the same decision', () => {
    fc.assert(
      fc.property(snapshotArb, fc.integer(), (snapshot, seed) => {
        const shuffle = <T>(items: readonly T[]): T[] =>
          items
            .map((item, i) => ({ item, key: Math.sin(seed + i * 7919) }))
            .sort((a, b) => a.key - b.key)
            .map((x) => x.item);
        const shuffled = { ...snapshot, orders: shuffle(snapshot.orders), riders: shuffle(snapshot.riders) };
        expect(strategy.decide(shuffled, params)).toEqual(strategy.decide(snapshot, params));
      }),
      { numRuns: 100 },
    );
  });
});
