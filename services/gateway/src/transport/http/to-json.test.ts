import { describe, expect, it } from 'vitest';
import { OrderState, type Order } from '@mealpeak/contracts/order.v1';
import { MerchantStatus, type MenuItem, type Merchant } from '@mealpeak/contracts/merchant.v1';
import { RunOrderState, type Offer, type RunOrder } from '@mealpeak/contracts/dispatch.v1';
import { menuItemJson, merchantJson, offerJson, orderJson, runOrderJson } from './to-json.ts';

/** The restaurant riders collect from, as the services send it; '' when unknown (docs/api.md). */
const named = { merchantName: 'Pizzeria Torstraße', pickupAddress: 'Torstraße 130, 10119 Berlin' };
const unnamed = { merchantName: '', pickupAddress: '' };

const order = (restaurant: typeof named): Order => ({
  id: 'o-1',
  customerId: 'c-1',
  merchantId: 'm-1',
  state: OrderState.ORDER_STATE_PLACED,
  lines: [],
  total: { amountMinor: 950, currency: 'EUR' },
  pickup: { lat: 52.529, lng: 13.396 },
  dropoff: { lat: 52.52, lng: 13.405 },
  dropoffAddress: 'Rathausstraße 15',
  placedAt: new Date('2026-11-22T12:00:00.000Z'),
  updatedAt: new Date('2026-11-22T12:00:00.000Z'),
  riderId: '',
  reason: '',
  version: 1,
  ...restaurant,
});

const offer = (restaurant: typeof named): Offer => ({
  offerId: 'f-1',
  riderId: 'r-1',
  orderIds: ['o-1'],
  pickup: { lat: 52.529, lng: 13.396 },
  expiresAt: new Date('2026-11-22T12:00:30.000Z'),
  orders: [
    {
      orderId: 'o-1',
      sequence: 0,
      dropoff: { lat: 52.52, lng: 13.405 },
      dropoffAddress: 'Rathausstraße 15',
      cancelled: false,
      merchantId: 'm-1',
      ready: true,
      expectedReadyAt: undefined,
      ...restaurant,
    },
  ],
});

const runOrder = (restaurant: typeof named): RunOrder => ({
  orderId: 'o-1',
  state: RunOrderState.RUN_ORDER_STATE_ASSIGNED,
  offerId: 'f-1',
  sequence: 0,
  pickup: { lat: 52.529, lng: 13.396 },
  dropoff: { lat: 52.52, lng: 13.405 },
  dropoffAddress: 'Rathausstraße 15',
  assignedAt: new Date('2026-11-22T12:01:00.000Z'),
  pickedUpAt: undefined,
  cancelledAt: undefined,
  merchantId: 'm-1',
  ready: false,
  expectedReadyAt: undefined,
  releasedAt: undefined,
  releaseReason: '',
  ...restaurant,
});

describe('the restaurant in the JSON', () => {
  it('names the restaurant and its street address on offers, runs and orders', () => {
    expect(offerJson(offer(named)).orders[0]).toMatchObject(named);
    expect(runOrderJson(runOrder(named))).toMatchObject(named);
    expect(orderJson(order(named))).toMatchObject(named);
  });

  it('leaves them out, rather than sending empty strings, when the order carries none', () => {
    // Orders placed before the copy, an older order service or dispatch: proto3 sends ''.
    for (const json of [
      offerJson(offer(unnamed)).orders[0],
      runOrderJson(runOrder(unnamed)),
      orderJson(order(unnamed)),
    ]) {
      expect(json).not.toHaveProperty('merchantName');
      expect(json).not.toHaveProperty('pickupAddress');
    }
    // A restaurant without an address on file: the name alone.
    const nameOnly = runOrderJson(runOrder({ ...named, pickupAddress: '' }));
    expect(nameOnly).toMatchObject({ merchantName: named.merchantName });
    expect(nameOnly).not.toHaveProperty('pickupAddress');
  });

  it("shows a merchant's address when it has one", () => {
    const merchant: Merchant = {
      id: 'm-1',
      name: named.merchantName,
      location: { lat: 52.529, lng: 13.396 },
      timeZone: 'Europe/Berlin',
      openingHours: [],
      status: MerchantStatus.MERCHANT_STATUS_OPEN,
      basePrepSeconds: 840,
      currency: 'EUR',
      kitchenCapacity: 6,
      backlog: 0,
      prepEstimateSeconds: 840,
      autoPauseBacklog: 18,
      deliveryRadiusM: 5_000,
      address: named.pickupAddress,
    };
    expect(merchantJson(merchant).address).toBe(named.pickupAddress);
    expect(merchantJson({ ...merchant, address: '' })).not.toHaveProperty('address');
    // The store itself sees the base preparation time PATCH /v1/merchant sets; customers do not.
    expect(merchantJson(merchant, { own: true }).kitchen).toEqual({
      capacity: 6,
      backlog: 0,
      autoPauseBacklog: 18,
      basePrepSeconds: 840,
    });
    expect(merchantJson(merchant)).not.toHaveProperty('kitchen');
    // A merchant service from before the field sends 0: left out, never shown as 0 seconds.
    expect(merchantJson({ ...merchant, basePrepSeconds: 0 }, { own: true }).kitchen).not.toHaveProperty(
      'basePrepSeconds',
    );
  });
});

describe('menu items in the JSON', () => {
  const item: MenuItem = {
    id: 'i-1',
    merchantId: 'm-1',
    name: 'Pho Bo',
    description: 'Beef noodle soup',
    price: { amountMinor: 1290, currency: 'EUR' },
    stock: 14,
    available: true,
  };

  it('shows a description when the item has one', () => {
    expect(menuItemJson(item).description).toBe('Beef noodle soup');
  });

  it('leaves out a description the item does not have, rather than sending ""', () => {
    // Seeded items and items created without one: proto3 sends ''.
    expect(menuItemJson({ ...item, description: '' })).toEqual({
      id: 'i-1',
      name: 'Pho Bo',
      price: { amountMinor: 1290, currency: 'EUR' },
      stock: 14,
      available: true,
    });
  });
});
