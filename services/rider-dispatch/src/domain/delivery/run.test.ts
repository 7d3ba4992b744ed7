import { describe, expect, it } from 'vitest';
import type { Offer } from './model.ts';
import { offerDetails } from './run.ts';

const offer: Offer = {
  offerId: 'f-1',
  riderId: 'r-1',
  orderIds: ['o-a', 'o-b', 'o-c'],
  zone: 'z',
  status: 'pending',
  pickup: { lat: 31.23, lng: 121.47 },
  plannedPickupAt: new Date('2026-11-20T12:05:00Z'),
  createdAt: new Date('2026-11-20T12:00:00Z'),
  expiresAt: new Date('2026-11-20T12:00:30Z'),
  replicaId: 'test',
};
const order = (
  orderId: string,
  state: 'offered' | 'assigned' | 'waiting' | 'cancelled',
  lat: number,
  offerId: string | undefined = 'f-1',
) => ({
  orderId,
  state,
  offerId,
  dropoff: { lat, lng: 121.5 },
  dropoffAddress: `${orderId} street 1`,
  merchantId: 'm-1',
  merchantName: 'Noodle Bar',
  pickupAddress: '88 Huaihai Rd',
  // o-b is still cooking: the rider sees it before reaching the counter.
  ready: orderId !== 'o-b',
  expectedReadyAt: new Date(orderId === 'o-b' ? '2026-11-20T12:20:00Z' : '2026-11-20T12:00:00Z'),
});
const collect = (ready: boolean) => ({
  merchantId: 'm-1',
  merchantName: 'Noodle Bar',
  pickupAddress: '88 Huaihai Rd',
  ready,
  expectedReadyAt: new Date(ready ? '2026-11-20T12:00:00Z' : '2026-11-20T12:20:00Z'),
});

describe('offerDetails', () => {
  it('lists a bundle in delivery sequence whatever order the rows come in, marking cancelled ones and readiness', () => {
    const details = offerDetails(offer, [
      order('o-c', 'offered', 31.26),
      order('o-a', 'offered', 31.24),
      order('o-b', 'cancelled', 31.25),
    ]);
    expect(details.orders).toEqual([
      {
        orderId: 'o-a',
        sequence: 0,
        dropoff: { lat: 31.24, lng: 121.5 },
        dropoffAddress: 'o-a street 1',
        cancelled: false,
        ...collect(true),
      },
      {
        orderId: 'o-b',
        sequence: 1,
        dropoff: { lat: 31.25, lng: 121.5 },
        dropoffAddress: 'o-b street 1',
        cancelled: true,
        ...collect(false),
      },
      {
        orderId: 'o-c',
        sequence: 2,
        dropoff: { lat: 31.26, lng: 121.5 },
        dropoffAddress: 'o-c street 1',
        cancelled: false,
        ...collect(true),
      },
    ]);
    expect(details).toMatchObject({ offerId: 'f-1', orderIds: ['o-a', 'o-b', 'o-c'] });
  });

  it('shows an accepted offer only with the orders still on it (one taken back is another rider’s)', () => {
    const accepted: Offer = { ...offer, status: 'accepted' };
    const details = offerDetails(accepted, [
      order('o-a', 'assigned', 31.24),
      { ...order('o-b', 'waiting', 31.25), offerId: undefined }, // taken back, waiting for another rider
      order('o-c', 'assigned', 31.26, 'f-9'), // taken back and already offered to someone else
    ]);
    expect(details.orders.map((o) => o.orderId)).toEqual(['o-a']);
  });

  it('leaves out an order dispatch no longer has, keeping the others’ sequence', () => {
    const details = offerDetails(offer, [order('o-c', 'offered', 31.26)]);
    expect(details.orders.map((o) => [o.orderId, o.sequence])).toEqual([['o-c', 2]]);
  });
});
