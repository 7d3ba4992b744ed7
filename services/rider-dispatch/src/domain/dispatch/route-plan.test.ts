import { describe, expect, it } from 'vitest';
import { clickToDoorFloor, planRoute } from './route-plan.ts';
import { order, testParams } from './test-support.ts';

describe('planRoute', () => {
  const params = testParams(); // 1 m/s, 120 s services
  const A = { x: 0, y: 0 };

  it('waits for the food and splits each service around the hand-over', () => {
    const o1 = order('o1', 'A', A, { x: 300, y: 0 }, 0, 500);
    const o2 = order('o2', 'A', A, { x: 300, y: 400 }, 0, 450);
    const plan = planRoute({ position: { x: 0, y: 100 }, departAt: 200 }, [o1, o2], params.travel, params);
    expect(plan).toEqual({
      departAt: 200,
      arriveRestaurantAt: 300,
      pickupAt: 500, // latest ready time, later than arrival + 60
      leaveRestaurantAt: 560,
      stops: [
        { orderId: 'o1', arriveAt: 860, dropoffAt: 920, leaveAt: 980 },
        { orderId: 'o2', arriveAt: 1380, dropoffAt: 1440, leaveAt: 1500 },
      ],
      freeAt: 1500,
      freePosition: { x: 300, y: 400 },
    });
  });

  it('picks up half a service after arrival when the food is already waiting', () => {
    const o = order('o', 'A', A, { x: 0, y: 100 }, 0, 0);
    const plan = planRoute({ position: { x: 50, y: 0 }, departAt: 10 }, [o], params.travel, params);
    expect(plan.pickupAt).toBe(120);
    expect(plan.stops[0]!.dropoffAt).toBe(120 + 60 + 100 + 60);
  });

  it('has a floor no plan beats', () => {
    const o = order('o', 'A', A, { x: 0, y: 100 }, 10, 300);
    expect(clickToDoorFloor(o, params.travel, params)).toBe(300 - 10 + 60 + 100 + 60);
    const plan = planRoute({ position: A, departAt: 0 }, [o], params.travel, params);
    expect(plan.stops[0]!.dropoffAt - o.placedAt).toBe(clickToDoorFloor(o, params.travel, params));
  });
});
