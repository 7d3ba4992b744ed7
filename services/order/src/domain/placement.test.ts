import { describe, expect, it } from 'vitest';
import { greatCircleMetres } from '@mealpeak/core';
import {
  isSamePlacement,
  newOrder,
  promiseFor,
  validatePlacement,
  type PlaceOrderInput,
  type PlacementPolicy,
} from './placement.ts';

const policy: PlacementPolicy = { acceptTimeoutSeconds: 180, promiseMarginSeconds: 900, riderSpeedMps: 5 };

const input: PlaceOrderInput = {
  orderId: '0190f3c1-0000-7000-8000-000000000001',
  customerId: 'c-1',
  merchantId: 'm-1',
  lines: [{ itemId: 'i-1', quantity: 2 }],
  dropoff: { lat: 31.2, lng: 121.4 },
  dropoffAddress: 'somewhere',
};

describe('placement', () => {
  it('accepts a well-formed order', () => {
    expect(validatePlacement(input).ok).toBe(true);
  });

  it('names every bad field at once', () => {
    const result = validatePlacement({
      ...input,
      orderId: 'not-a-uuid',
      lines: [
        { itemId: 'i-1', quantity: 0 },
        { itemId: 'i-1', quantity: 100 },
        { itemId: '', quantity: 1 },
      ],
      dropoff: { lat: 91, lng: 0 },
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe('INVALID_ARGUMENT');
    expect(result.error.fields?.map((f) => f.field)).toEqual([
      'orderId',
      'lines[0].quantity',
      'lines[1].itemId',
      'lines[1].quantity',
      'lines[2].itemId',
      'dropoff',
    ]);
  });

  it('counts the address in characters, and refuses control characters in it', () => {
    expect(validatePlacement({ ...input, dropoffAddress: '🏠'.repeat(500) }).ok).toBe(true);
    for (const dropoffAddress of ['🏠'.repeat(501), 'Torstr.\u0000 1']) {
      const result = validatePlacement({ ...input, dropoffAddress });
      expect(!result.ok && result.error.fields?.map((f) => f.field)).toEqual(['dropoffAddress']);
    }
  });

  it('rejects an empty order and a missing drop-off', () => {
    const result = validatePlacement({ ...input, lines: [], dropoff: undefined });
    expect(!result.ok && result.error.fields?.map((f) => f.field)).toEqual(['lines', 'dropoff']);
  });

  it('builds a PLACED order with the merchant prices, acceptance deadline and promise', () => {
    const now = new Date('2026-11-22T12:00:00.000Z');
    const price = { amountMinor: 1500, currency: 'CNY' };
    const { order, change } = newOrder(
      input,
      {
        lines: [
          {
            itemId: 'i-1',
            name: 'Noodles',
            quantity: 2,
            unitPrice: price,
            lineTotal: { amountMinor: 3000, currency: 'CNY' },
          },
        ],
        total: { amountMinor: 3000, currency: 'CNY' },
        pickup: { lat: 31.21, lng: 121.41 },
        merchantName: 'Noodle Bar',
        pickupAddress: '88 Huaihai Rd',
        prepEstimateSeconds: 600,
      },
      policy,
      now,
    );
    expect(order).toMatchObject({
      state: 'PLACED',
      merchantName: 'Noodle Bar',
      pickupAddress: '88 Huaihai Rd',
      version: 1,
      total: { amountMinor: 3000 },
      acceptBy: new Date('2026-11-22T12:03:00.000Z'),
      // 10 min preparation + 1.46 km at 5 m/s (4.9 min) + 15 min margin = 29.9, up to 30 min.
      promisedAt: new Date('2026-11-22T12:30:00.000Z'),
    });
    expect(change).toMatchObject({ from: undefined, to: 'PLACED', actor: { role: 'customer', id: 'c-1' } });
    expect(isSamePlacement(order, input)).toBe(true);
    expect(isSamePlacement(order, { ...input, lines: [{ itemId: 'i-1', quantity: 3 }] })).toBe(false);
    expect(isSamePlacement(order, { ...input, customerId: 'c-2' })).toBe(false);
  });

  it('leaves the restaurant out when an older merchant release named none', () => {
    const { order } = newOrder(
      input,
      {
        lines: [],
        total: { amountMinor: 0, currency: 'CNY' },
        pickup: { lat: 31.21, lng: 121.41 },
        merchantName: '',
        pickupAddress: '',
        prepEstimateSeconds: 600,
      },
      policy,
      new Date('2026-11-22T12:00:00.000Z'),
    );
    expect(order.merchantName).toBeUndefined();
    expect(order.pickupAddress).toBeUndefined();
  });

  it('promises later for a busier kitchen and a longer ride, in whole minutes', () => {
    const placedAt = new Date('2026-11-22T12:00:00.000Z');
    const pickup = { lat: 31.21, lng: 121.41 };
    const minutes = (prepEstimateSeconds: number, dropoff: { lat: number; lng: number }) =>
      (promiseFor(placedAt, { prepEstimateSeconds, pickup }, dropoff, policy).getTime() -
        placedAt.getTime()) /
      60_000;
    const near = { lat: 31.211, lng: 121.41 }; // ~111 m: 22 s of ride
    const far = { lat: 31.245, lng: 121.41 }; // ~3.9 km: 13 min of ride
    expect(minutes(600, near)).toBe(26); // 10 + 0.4 + 15, rounded up
    expect(minutes(1_800, near)).toBe(46); // the same order behind a backlog: 30 min preparation
    expect(minutes(600, far)).toBe(Math.ceil((600 + greatCircleMetres(pickup, far) / 5 + 900) / 60));
    expect(minutes(600, far)).toBe(38);
    expect(minutes(0, pickup)).toBe(15); // nothing to cook, nowhere to ride: the margin alone
  });
});
