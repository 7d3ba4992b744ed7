import { describe, expect, it } from 'vitest';
import { createGreedyStrategy } from './greedy-strategy.ts';
import { createOptimizingStrategy } from './optimizing-strategy.ts';
import { order, rider, rollOut, testParams } from './test-support.ts';
import type { Decision } from './types.ts';

const A = { x: 0, y: 0 };
const B = { x: 1000, y: 0 };
const greedy = createGreedyStrategy();
const optimized = createOptimizingStrategy();

const byRider = (d: Decision): Record<string, readonly string[]> =>
  Object.fromEntries(d.assignments.map((a) => [a.riderId, a.orderIds]));

describe('optimizing strategy', () => {
  it('swaps riders when the nearest-first choice makes the other order late', () => {
    // r1 sits between the restaurants, r2 far left of A. Greedy serves the oldest order first with the
    // nearest rider (r1 -> A), leaving B to r2, 1,600 m away: 1,060 s late. The optimum sends r2 to A
    // (60 s late) and r1 to B (on time).
    const params = testParams();
    const orders = [
      order('oA', 'A', A, { x: 0, y: 300 }, 0, 600),
      order('oB', 'B', B, { x: 1000, y: 300 }, 0, 600),
    ];
    const riders = [rider('r1', { x: 500, y: 0 }), rider('r2', { x: -600, y: 0 })];
    const snapshot = { now: 0, orders, riders };

    expect(byRider(greedy.decide(snapshot, params))).toEqual({ r1: ['oA'], r2: ['oB'] });
    const decision = optimized.decide(snapshot, params);
    expect(byRider(decision)).toEqual({ r2: ['oA'], r1: ['oB'] });
    const dropoffs = decision.assignments.flatMap((a) => a.plan.stops.map((s) => s.dropoffAt));
    expect(dropoffs.reduce((s, t) => s + t, 0)).toBe(2100); // greedy's plans add up to 3,100
  });

  it('bundles two orders from one restaurant when the only rider would otherwise make two trips', () => {
    const params = testParams();
    const orders = [
      order('o1', 'A', A, { x: 0, y: 1000 }, 0, 600),
      order('o2', 'A', A, { x: 0, y: 1100 }, 0, 660),
    ];
    const riders = [rider('r1', { x: 0, y: -400 })];

    const opt = rollOut(optimized, params, orders, riders, 3600);
    expect(opt.bundles).toEqual([['o1', 'o2']]);
    // o1 waits 60 s for o2 and o2 rides via o1's door: 1,780 + 2,000.
    expect(opt.totalClickToDoor).toBe(3780);
    const base = rollOut(greedy, params, orders, riders, 7200);
    expect(base.bundles).toEqual([['o1'], ['o2']]);
    expect(base.totalClickToDoor).toBe(5800);
  });

  it('keeps orders apart when riders are plentiful and bundling would only delay them', () => {
    const params = testParams();
    const orders = [
      order('o1', 'A', A, { x: 0, y: 1000 }, 0, 600),
      order('o2', 'A', A, { x: 0, y: 1100 }, 0, 660),
    ];
    const riders = ['r1', 'r2', 'r3', 'r4', 'r5', 'r6'].map((id, i) => rider(id, { x: 50 * i, y: -400 }));
    const result = rollOut(optimized, params, orders, riders, 3600);
    expect(result.bundles).toEqual([['o1'], ['o2']]);
  });

  it('holds an order for a busy rider who frees up next to the restaurant', () => {
    const params = testParams();
    const orders = [order('o1', 'A', A, { x: 0, y: 500 }, 0, 300)];
    const riders = [rider('far', { x: 2000, y: 0 }), rider('near', { x: 100, y: 0 }, 120)];

    expect(byRider(greedy.decide({ now: 0, orders, riders }, params))).toEqual({ far: ['o1'] });
    expect(optimized.decide({ now: 0, orders, riders }, params)).toEqual({ assignments: [], held: ['o1'] });
    const opt = rollOut(optimized, params, orders, riders, 1200);
    expect(opt.dropoffAt.get('o1')).toBe(920);
    expect(rollOut(greedy, params, orders, riders, 1200).dropoffAt.get('o1')).toBe(2680);
  });

  it('holds an order whose food is far from ready, keeping the rider free for a more urgent one', () => {
    const params = testParams();
    const orders = [
      order('o1', 'A', A, { x: 0, y: 500 }, 0, 1200),
      order('o2', 'B', { x: 600, y: 0 }, { x: 600, y: 500 }, 600, 700),
    ];
    const riders = [rider('r1', { x: 300, y: 0 }), rider('r2', { x: -1000, y: 0 })];

    expect(optimized.decide({ now: 0, orders: orders.slice(0, 1), riders }, params).held).toEqual(['o1']);
    const opt = rollOut(optimized, params, orders, riders, 3600);
    const base = rollOut(greedy, params, orders, riders, 3600);
    expect(base.totalClickToDoor).toBe(4100); // r1 waited at A; o2 went to far-away r2
    expect(opt.totalClickToDoor).toBe(3260); // r1 took o2, r2 left for A in time to be 460 s late
  });

  it('commits everything it matches when holding is off', () => {
    const params = testParams();
    const orders = [order('o1', 'A', A, { x: 0, y: 500 }, 0, 1200)];
    const riders = [rider('r1', { x: 300, y: 0 })];
    const eager = createOptimizingStrategy({ holding: false });
    expect(byRider(eager.decide({ now: 0, orders, riders }, params))).toEqual({ r1: ['o1'] });
  });

  it('never plans a pickup after the rider’s shift', () => {
    const params = testParams();
    const orders = [order('o1', 'A', A, { x: 0, y: 500 }, 0, 100)];
    const riders = [rider('leaving', { x: 10, y: 0 }, 0, 50), rider('staying', { x: 900, y: 0 })];
    expect(byRider(optimized.decide({ now: 0, orders, riders }, params))).toEqual({ staying: ['o1'] });
    expect(byRider(greedy.decide({ now: 0, orders, riders }, params))).toEqual({ staying: ['o1'] });
  });
});
