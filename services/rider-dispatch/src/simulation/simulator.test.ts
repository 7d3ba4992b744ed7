import { describe, expect, it } from 'vitest';
import { createGreedyStrategy } from '../domain/dispatch/greedy-strategy.ts';
import { createOptimizingStrategy } from '../domain/dispatch/optimizing-strategy.ts';
import { dispatchParams } from '../domain/dispatch/params.ts';
import { checkFeasibility } from './feasibility-checker.ts';
import { computeMetrics } from './metrics.ts';
import { simulate } from './simulator.ts';
import { writeSolution } from './solution.ts';
import { tinyInstance } from './test-fixtures.ts';

describe('simulate + metrics on a hand-worked instance', () => {
  // Courier c1 starts at (300,0), 3 min from restaurant r1 at the origin; 100 m per minute.
  // Greedy at minute 0: c1 takes o1 (ready 10): arrive 3, pickup max(10, 3+2) = 10, leave 12,
  //   ride 10 min to (1000,0), drop-off 22+2 = 24, free at 26.
  // o2 (placed 5, ready 20) waits for c1: leave o1 at 26, 10 min back to r1, arrive 36,
  //   pickup max(20, 38) = 38, leave 40, 5 min to (0,500), arrive 45, drop-off 47.
  const instance = tinyInstance();
  const { solution } = simulate(instance, createGreedyStrategy(), dispatchParams());

  it('replays the greedy schedule minute by minute', () => {
    expect(writeSolution(solution)).toEqual({
      assignments: 'assignment_time pickup_time courier order\n0 10 c1 o1\n26 38 c1 o2\n',
      orders:
        'order placement_time ready_time pickup_time dropoff_time courier\n' +
        'o1 0 10 10 24 c1\n' +
        'o2 5 20 38 47 c1\n',
      couriers:
        'courier departure_time origin destination\nc1 0 0 r1\nc1 12 r1 o1\nc1 26 o1 r1\nc1 40 r1 o2\n',
    });
    expect(checkFeasibility(instance, solution)).toEqual([]);
  });

  it('computes the metrics worked out by hand', () => {
    const m = computeMetrics(instance, solution);
    expect(m.delivered).toBe(2);
    expect(m.undeliveredPct).toBe(0);
    // click-to-door 24 and 42
    expect(m.clickToDoor).toMatchObject({ mean: 33, min: 24, p50: 33, max: 42 });
    expect(m.clickToDoor.p90).toBeCloseTo(40.2, 10);
    expect(m.withinTargetShare).toBe(0.5);
    expect(m.overTargetMean).toBe(1);
    expect(m.readyToPickup.mean).toBe(9); // 0 and 18
    expect(m.readyToDoor.mean).toBe(20.5); // 14 and 27
    expect(m.ordersPerCourierHour).toBe(2);
    // driving 3 + 10 + 10 + 5, service 2 pickups and 2 drop-offs of 4 minutes, over a 60-minute shift
    expect(m.courierUtilisation).toBeCloseTo(44 / 60, 12);
    expect(m.courierPay).toBe(20);
    expect(m.guaranteeShare).toBe(0);
    // lower bound: ready - placement + 2 + ride + 2 = 10 + 14 and 15 + 9
    expect(m.lowerBound).toBe(24);
  });

  it('runs the optimizing strategy to a feasible schedule that delivers every order', () => {
    const run = simulate(instance, createOptimizingStrategy(), dispatchParams());
    expect(checkFeasibility(instance, run.solution)).toEqual([]);
    expect(run.solution.orders.map((o) => o.orderId).sort()).toEqual(['o1', 'o2']);
  });

  it('leaves an order undelivered when no courier can pick it up before going off duty', () => {
    const late = tinyInstance({ couriers: 'courier\tx\ty\ton_time\toff_time\nc1\t300\t0\t0\t15\n' });
    const run = simulate(late, createOptimizingStrategy(), dispatchParams());
    expect(run.solution.orders.map((o) => o.orderId)).toEqual(['o1']);
    expect(computeMetrics(late, run.solution).undeliveredPct).toBe(50);
    expect(checkFeasibility(late, run.solution)).toEqual([]);
  });
});
