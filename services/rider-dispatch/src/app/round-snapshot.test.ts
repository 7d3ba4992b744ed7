import { describe, expect, it } from 'vitest';
import { createGreedyStrategy, dispatchParams } from '../domain/dispatch/index.ts';
import type { DispatchOrder, Rider } from '../domain/delivery/model.ts';
import { METRES_PER_DEGREE } from '../domain/geo/projection.ts';
import { decideRound, planRound } from './round-snapshot.ts';

const now = new Date('2026-11-20T12:00:00Z');
const nowS = now.getTime() / 1000;
const centre = { lat: 31.23, lng: 121.47 };
const north = (m: number) => ({ lat: centre.lat + m / METRES_PER_DEGREE, lng: centre.lng });

const order = (orderId: string, change: Partial<DispatchOrder> = {}): DispatchOrder => ({
  orderId,
  zone: 'z',
  merchantId: 'm-1',
  customerId: 'c',
  pickup: north(100),
  dropoff: north(2_000),
  dropoffAddress: '',
  merchantName: '',
  pickupAddress: '',
  placedAt: new Date(now.getTime() - 300_000),
  expectedReadyAt: new Date(now.getTime() + 600_000),
  promisedAt: new Date(now.getTime() + 2_400_000),
  ready: false,
  state: 'waiting',
  riderId: undefined,
  offerId: undefined,
  sequence: undefined,
  version: 2,
  pickedUpAt: undefined,
  deliveredAt: undefined,
  ...change,
});
const rider = (riderId: string, change: Partial<Rider> = {}): Rider => ({
  riderId,
  online: true,
  status: 'idle',
  offlineRequested: false,
  shiftEndsAt: new Date(now.getTime() + 3_600_000),
  busyUntil: undefined,
  freePosition: undefined,
  silentSince: undefined,
  ...change,
});

describe('round snapshot', () => {
  it('projects orders and riders to metres around the zone centre, in epoch seconds', () => {
    const plan = planRound({
      now,
      centre,
      orders: [order('o-1')],
      riders: [{ rider: rider('r-1'), position: north(500) }],
      declines: [],
    });
    expect(plan.now).toBe(nowS);
    const [o] = plan.passes[0]!.orders;
    expect(o).toMatchObject({
      id: 'o-1',
      readyAt: nowS + 600,
      promisedBy: nowS + 2_400,
      placedAt: nowS - 300,
    });
    expect(o!.pickup.y).toBeCloseTo(100, 6);
    expect(o!.dropoff.y).toBeCloseTo(2_000, 6);
    expect(plan.riders[0]).toMatchObject({ id: 'r-1', availableAt: nowS, shiftEndsAt: nowS + 3_600 });
    expect(plan.riders[0]!.position.y).toBeCloseTo(500, 6);
  });

  it('treats a ready order as ready now, and one restaurant id per merchant and pickup point', () => {
    const plan = planRound({
      now,
      centre,
      orders: [order('o-1', { ready: true }), order('o-2'), order('o-3', { pickup: north(900) })],
      riders: [],
      declines: [],
    });
    const [a, b, c] = plan.passes[0]!.orders;
    expect(a!.readyAt).toBe(nowS);
    expect(a!.restaurantId).toBe(b!.restaurantId);
    expect(c!.restaurantId).not.toBe(a!.restaurantId);
  });

  it('plans a delivering rider where and when the current run ends, never as free now', () => {
    const free = north(3_000);
    const plan = planRound({
      now,
      centre,
      orders: [],
      riders: [
        {
          rider: rider('late', { status: 'delivering', busyUntil: new Date(now.getTime() - 60_000) }),
          position: north(0),
        },
        {
          rider: rider('busy', {
            status: 'delivering',
            busyUntil: new Date(now.getTime() + 600_000),
            freePosition: free,
          }),
          position: north(0),
        },
      ],
      declines: [],
    });
    expect(plan.riders[0]!.availableAt).toBeGreaterThan(nowS);
    expect(plan.riders[1]!.availableAt).toBe(nowS + 600);
    expect(plan.riders[1]!.position.y).toBeCloseTo(3_000, 6);
  });

  it('decides declined orders in later passes without the riders who declined them', () => {
    const plan = planRound({
      now,
      centre,
      orders: [order('fresh', { ready: true }), order('declined', { ready: true, pickup: north(-2_000) })],
      riders: [
        { rider: rider('near'), position: north(110) },
        { rider: rider('decliner'), position: north(-2_000) },
        { rider: rider('other'), position: north(-1_500) },
      ],
      declines: [{ orderId: 'declined', riderId: 'decliner' }],
    });
    expect(plan.passes.map((p) => [p.orders.map((o) => o.id), [...p.excluded]])).toEqual([
      [['fresh'], []],
      [['declined'], ['decliner']],
    ]);
    const assignments = decideRound(plan, createGreedyStrategy(), dispatchParams());
    expect(assignments.map((a) => [a.orderIds[0], a.riderId])).toEqual([
      ['fresh', 'near'],
      ['declined', 'other'],
    ]);
  });

  it('never gives a rider committed in one pass an order of a later pass', () => {
    const plan = planRound({
      now,
      centre,
      orders: [order('a', { ready: true }), order('b', { ready: true })],
      riders: [
        { rider: rider('only'), position: north(100) },
        { rider: rider('x'), position: north(200) },
      ],
      declines: [{ orderId: 'b', riderId: 'x' }],
    });
    const assignments = decideRound(plan, createGreedyStrategy(), dispatchParams());
    expect(assignments.map((a) => a.riderId).sort()).toEqual(['only']);
  });
});
