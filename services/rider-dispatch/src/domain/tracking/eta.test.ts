import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createSpeedTravelModel, planRoute, type OrderSnapshot } from '../dispatch/index.ts';
import { deliveryEta, unassignedEta } from './eta.ts';

const travel = createSpeedTravelModel(5);
const service = { pickupServiceSeconds: 240, dropoffServiceSeconds: 240 };

describe('delivery ETA', () => {
  it('before pickup: ride to the restaurant, wait for the food, ride to the customer', () => {
    const eta = deliveryEta({
      now: 1_000,
      rider: { x: 0, y: 0 },
      restaurant: { x: 1_000, y: 0 }, // 200 s away
      readyAt: 1_600, // ready after the rider arrives
      stops: [{ x: 1_000, y: 1_500 }], // 300 s ride
      travel,
      service,
    });
    expect(eta).toEqual({ pickupAt: 1_600, dropoffAt: 1_600 + 120 + 300 + 120 });
  });

  it('after pickup: straight to the customer, earlier drop-offs of the bundle first', () => {
    const alone = deliveryEta({
      now: 0,
      rider: { x: 0, y: 0 },
      restaurant: undefined,
      readyAt: 99_999,
      stops: [{ x: 500, y: 0 }],
      travel,
      service,
    });
    expect(alone).toEqual({ pickupAt: undefined, dropoffAt: 100 + 120 });
    const second = deliveryEta({
      now: 0,
      rider: { x: 0, y: 0 },
      restaurant: undefined,
      readyAt: 0,
      stops: [
        { x: 500, y: 0 },
        { x: 500, y: 500 },
      ],
      travel,
      service,
    });
    expect(second.dropoffAt).toBe(100 + 240 + 100 + 120);
  });

  it('agrees with the engine’s own route plan for any bundle before pickup', () => {
    const point = fc.record({
      x: fc.integer({ min: -5_000, max: 5_000 }),
      y: fc.integer({ min: -5_000, max: 5_000 }),
    });
    fc.assert(
      fc.property(
        point,
        point,
        fc.array(point, { minLength: 1, maxLength: 4 }),
        fc.integer({ min: 0, max: 3_000 }),
        (rider, restaurant, drops, ready) => {
          const orders: OrderSnapshot[] = drops.map((dropoff, i) => ({
            id: `o${i}`,
            restaurantId: 'r',
            pickup: restaurant,
            dropoff,
            placedAt: 0,
            readyAt: ready,
            promisedBy: 9_999,
          }));
          const plan = planRoute({ position: rider, departAt: 100 }, orders, travel, service);
          const eta = deliveryEta({
            now: 100,
            rider,
            restaurant,
            readyAt: ready,
            stops: drops,
            travel,
            service,
          });
          expect(eta.pickupAt).toBeCloseTo(plan.pickupAt, 6);
          expect(eta.dropoffAt).toBeCloseTo(plan.stops.at(-1)!.dropoffAt, 6);
        },
      ),
    );
  });

  it('estimates an unassigned order from readiness or a typical approach, whichever is later', () => {
    const base = {
      restaurant: { x: 0, y: 0 },
      dropoff: { x: 0, y: 1_000 },
      approachSeconds: 360,
      travel,
      service,
    };
    expect(unassignedEta({ ...base, now: 0, readyAt: 1_200 })).toEqual({
      pickupAt: 1_200,
      dropoffAt: 1_200 + 120 + 200 + 120,
    });
    expect(unassignedEta({ ...base, now: 0, readyAt: 0 }).pickupAt).toBe(360 + 120);
  });
});
