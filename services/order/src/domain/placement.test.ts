import { describe, expect, it } from 'vitest';
import { isSamePlacement, newOrder, validatePlacement, type PlaceOrderInput } from './placement.ts';

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
        prepEstimateSeconds: 600,
      },
      { acceptTimeoutSeconds: 180, promiseMinutes: 40 },
      now,
    );
    expect(order).toMatchObject({
      state: 'PLACED',
      version: 1,
      total: { amountMinor: 3000 },
      acceptBy: new Date('2026-11-22T12:03:00.000Z'),
      promisedAt: new Date('2026-11-22T12:40:00.000Z'),
    });
    expect(change).toMatchObject({ from: undefined, to: 'PLACED', actor: { role: 'customer', id: 'c-1' } });
    expect(isSamePlacement(order, input)).toBe(true);
    expect(isSamePlacement(order, { ...input, lines: [{ itemId: 'i-1', quantity: 3 }] })).toBe(false);
    expect(isSamePlacement(order, { ...input, customerId: 'c-2' })).toBe(false);
  });
});
