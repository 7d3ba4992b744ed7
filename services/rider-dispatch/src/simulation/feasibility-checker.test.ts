import { describe, expect, it } from 'vitest';
import { createGreedyStrategy } from '../domain/dispatch/greedy-strategy.ts';
import { dispatchParams } from '../domain/dispatch/params.ts';
import { checkFeasibility } from './feasibility-checker.ts';
import { simulate } from './simulator.ts';
import type { MdrpSolution } from './solution.ts';
import { tinyInstance } from './test-fixtures.ts';

// The valid greedy schedule of the tiny instance (see simulator.test.ts), broken one rule at a time.
const instance = tinyInstance();
const valid = simulate(instance, createGreedyStrategy(), dispatchParams()).solution;
const codes = (solution: MdrpSolution): string[] => [
  ...new Set(checkFeasibility(instance, solution).map((v) => v.code)),
];

describe('checkFeasibility', () => {
  it('accepts the valid schedule', () => {
    expect(checkFeasibility(instance, valid)).toEqual([]);
  });

  it('catches an order assigned twice', () => {
    const twice = {
      ...valid,
      assignments: [...valid.assignments, { ...valid.assignments[1]!, orderIds: ['o2', 'o1'] }],
    };
    expect(codes(twice)).toContain('ORDER_ASSIGNED_TWICE');
  });

  it('catches an assignment made before the order was placed', () => {
    const early = {
      ...valid,
      assignments: [valid.assignments[0]!, { ...valid.assignments[1]!, assignmentTime: 4 }],
    };
    expect(codes(early)).toContain('ASSIGNED_BEFORE_PLACEMENT');
  });

  it('catches a pickup before the food is ready, and the times that no longer add up', () => {
    const hasty = {
      ...valid,
      assignments: [{ ...valid.assignments[0]!, pickupTime: 5 }, valid.assignments[1]!],
      orders: [{ ...valid.orders[0]!, pickupTime: 5 }, valid.orders[1]!],
    };
    expect(codes(hasty)).toEqual(expect.arrayContaining(['PICKUP_BEFORE_READY', 'TIMES_INCONSISTENT']));
  });

  it('catches a pickup after the courier went off duty', () => {
    const shortShift = tinyInstance({ couriers: 'courier\tx\ty\ton_time\toff_time\nc1\t300\t0\t0\t30\n' });
    expect(checkFeasibility(shortShift, valid).map((v) => v.code)).toEqual(['PICKUP_AFTER_OFF_TIME']);
  });

  it('accepts a bundle from one restaurant and catches one that mixes restaurants', () => {
    // c1 gets both at minute 5: arrive 8, pickup at 20 (o2 ready), o1 at 32+2, then 12 min to o2, 48+2.
    const bundled: MdrpSolution = {
      assignments: [{ assignmentTime: 5, pickupTime: 20, courierId: 'c1', orderIds: ['o1', 'o2'] }],
      orders: [
        { orderId: 'o1', placementTime: 0, readyTime: 10, pickupTime: 20, dropoffTime: 34, courierId: 'c1' },
        { orderId: 'o2', placementTime: 5, readyTime: 20, pickupTime: 20, dropoffTime: 50, courierId: 'c1' },
      ],
      moves: [
        { courierId: 'c1', departureTime: 5, origin: '0', destination: 'r1' },
        { courierId: 'c1', departureTime: 22, origin: 'r1', destination: 'o1' },
        { courierId: 'c1', departureTime: 36, origin: 'o1', destination: 'o2' },
      ],
    };
    expect(checkFeasibility(instance, bundled)).toEqual([]);
    const orders =
      'order\tx\ty\tplacement_time\trestaurant\tready_time\no1\t1000\t0\t0\tr1\t10\no2\t0\t500\t5\tr2\t20\n';
    expect(checkFeasibility(tinyInstance({ orders }), bundled).map((v) => v.code)).toEqual([
      'MIXED_RESTAURANTS',
    ]);
  });

  it('catches a courier who teleports', () => {
    const moves = valid.moves.map((m, i) => (i === 2 ? { ...m, origin: '0' } : m));
    expect(codes({ ...valid, moves })).toEqual(['MOVES_MISMATCH']);
  });

  it('catches a drop-off time that the travel times do not allow', () => {
    const orders = [valid.orders[0]!, { ...valid.orders[1]!, dropoffTime: 44 }];
    expect(codes({ ...valid, orders })).toEqual(['TIMES_INCONSISTENT']);
  });

  it('catches a courier instructed while still on an assignment', () => {
    const assignments = [valid.assignments[0]!, { ...valid.assignments[1]!, assignmentTime: 20 }];
    const moves = valid.moves.map((m, i) => (i === 2 ? { ...m, departureTime: 20 } : m));
    expect(codes({ ...valid, assignments, moves })).toEqual(expect.arrayContaining(['ASSIGNED_WHILE_BUSY']));
  });

  it('catches an order delivered without an assignment, and moves nobody ordered', () => {
    const stray = { ...valid, assignments: [valid.assignments[0]!] };
    expect(codes(stray)).toEqual(expect.arrayContaining(['ORDER_RECORD_MISMATCH', 'MOVES_MISMATCH']));
    const prepositioning = {
      ...valid,
      moves: [...valid.moves, { courierId: 'c1', departureTime: 50, origin: 'o2', destination: 'r1' }],
    };
    expect(codes(prepositioning)).toEqual(['MOVES_MISMATCH']);
  });
});
