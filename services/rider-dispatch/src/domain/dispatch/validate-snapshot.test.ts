import { describe, expect, it } from 'vitest';
import { order, rider } from './test-support.ts';
import { validateSnapshot } from './validate-snapshot.ts';

describe('validateSnapshot', () => {
  it('accepts a sound snapshot', () => {
    const snapshot = {
      now: 0,
      orders: [order('o1', 'A', { x: 0, y: 0 }, { x: 1, y: 1 }, 0, 60)],
      riders: [rider('r1', { x: 5, y: 5 })],
    };
    expect(validateSnapshot(snapshot)).toEqual([]);
  });

  it('reports duplicates, non-numbers and a restaurant with two pickup points as values', () => {
    const snapshot = {
      now: 0,
      orders: [
        order('o1', 'A', { x: 0, y: 0 }, { x: 1, y: 1 }, 0, 60),
        order('o1', 'A', { x: 9, y: 9 }, { x: 1, y: 1 }, 0, Number.NaN),
      ],
      riders: [rider('r1', { x: 5, y: 5 }), rider('r1', { x: 5, y: 5 })],
    };
    expect(validateSnapshot(snapshot).map((p) => p.code)).toEqual([
      'DUPLICATE_ORDER_ID',
      'NOT_A_NUMBER',
      'RESTAURANT_PICKUP_MISMATCH',
      'DUPLICATE_RIDER_ID',
    ]);
  });
});
