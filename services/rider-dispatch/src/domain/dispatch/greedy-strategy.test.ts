import { describe, expect, it } from 'vitest';
import { createGreedyStrategy } from './greedy-strategy.ts';
import { order, rider, testParams } from './test-support.ts';

describe('greedy strategy', () => {
  const greedy = createGreedyStrategy();
  const params = testParams();
  const A = { x: 0, y: 0 };

  it('serves the oldest order first with the idle rider who arrives first, and holds the rest', () => {
    const orders = [
      order('young', 'A', A, { x: 0, y: 100 }, 50, 600),
      order('old', 'A', A, { x: 0, y: 200 }, 10, 600),
      order('last', 'A', A, { x: 0, y: 300 }, 60, 600),
    ];
    const riders = [
      rider('far', { x: 900, y: 0 }),
      rider('near', { x: 100, y: 0 }),
      rider('busy', { x: 1, y: 0 }, 500),
    ];
    const decision = greedy.decide({ now: 100, orders, riders }, params);
    expect(decision.assignments.map((a) => [a.riderId, a.orderIds])).toEqual([
      ['near', ['old']],
      ['far', ['young']],
    ]);
    expect(decision.held).toEqual(['last']);
  });

  it('sends the rider at once, even when the food is far from ready', () => {
    const orders = [order('o', 'A', A, { x: 0, y: 100 }, 0, 3000)];
    const [a] = greedy.decide({ now: 0, orders, riders: [rider('r', { x: 100, y: 0 })] }, params).assignments;
    expect(a?.plan.departAt).toBe(0);
    expect(a?.plan.pickupAt).toBe(3000);
  });
});
