import { beforeEach, describe, expect, it } from 'vitest';
import { unwrap } from '@mealpeak/core';
import { createInMemoryStore, type InMemoryStore } from './test-support/in-memory-store.ts';
import { itemInput, merchantInput, testDeps, type TestClock } from './test-support/fixtures.ts';
import { createUseCases, type UseCases } from './use-cases.ts';

describe('reserving and releasing stock', () => {
  let store: InMemoryStore;
  let uc: UseCases;
  let clock: TestClock;

  beforeEach(async () => {
    store = createInMemoryStore();
    const t = testDeps(store);
    clock = t.clock;
    uc = createUseCases(t.deps);
    unwrap(await uc.upsertMerchant(merchantInput()));
    unwrap(await uc.upsertMenuItem(itemInput('burger', { stock: 5, priceMinor: 1190 })));
    unwrap(await uc.upsertMenuItem(itemInput('fries', { stock: 1, priceMinor: 390 })));
    unwrap(await uc.upsertMenuItem(itemInput('shake', { available: false })));
  });

  const reserve = (orderId: string, lines: { itemId: string; quantity: number }[], merchantId = 'm1') =>
    uc.reserveStock({ orderId, merchantId, lines });

  it('prices the lines, takes the stock, and holds it until reserved_until', async () => {
    const result = unwrap(
      await reserve('o1', [
        { itemId: 'burger', quantity: 2 },
        { itemId: 'fries', quantity: 1 },
      ]),
    );
    expect(result).toMatchObject({
      state: 'tentative',
      totalMinor: 2770,
      currency: 'EUR',
      location: { lat: 52.52, lng: 13.405 },
      merchantName: 'Curry Mitte',
      pickupAddress: 'Rosenthaler Straße 1, 10119 Berlin',
      prepEstimateSeconds: 600,
      reservedUntil: new Date(clock.now().getTime() + 120_000),
    });
    expect(result.lines.map((l) => [l.itemId, l.unitPriceMinor, l.lineTotalMinor])).toEqual([
      ['burger', 1190, 2380],
      ['fries', 390, 390],
    ]);
    expect(store.item('burger')?.stock).toBe(3);
    expect(store.item('fries')?.stock).toBe(0);
  });

  it('answers a repeat with the first result and takes the stock once', async () => {
    const first = unwrap(await reserve('o1', [{ itemId: 'burger', quantity: 2 }]));
    clock.advance(5_000);
    const again = unwrap(await reserve('o1', [{ itemId: 'burger', quantity: 2 }]));
    expect(again).toEqual(first);
    expect(store.item('burger')?.stock).toBe(3);
  });

  it('answers a repeat after the merchant moved with the place and name it reserved at', async () => {
    const first = unwrap(await reserve('o1', [{ itemId: 'burger', quantity: 1 }]));
    const moved = { lat: 52.4935, lng: 13.388 };
    unwrap(
      await uc.upsertMerchant(
        merchantInput({ name: 'Curry Kreuzberg', location: moved, address: 'Mehringdamm 36, 10961 Berlin' }),
      ),
    );
    const again = unwrap(await reserve('o1', [{ itemId: 'burger', quantity: 1 }]));
    expect(again).toMatchObject({
      location: { lat: 52.52, lng: 13.405 },
      merchantName: 'Curry Mitte',
      pickupAddress: 'Rosenthaler Straße 1, 10119 Berlin',
    });
    expect(again).toEqual(first);
    // A new order is told where the merchant is now.
    expect(unwrap(await reserve('o2', [{ itemId: 'burger', quantity: 1 }]))).toMatchObject({
      location: moved,
      merchantName: 'Curry Kreuzberg',
      pickupAddress: 'Mehringdamm 36, 10961 Berlin',
    });
  });

  it('names a reservation stored without the restaurant (before the upgrade) as the merchant is now', async () => {
    const {
      merchantName: _n,
      pickupAddress: _a,
      ...old
    } = unwrap(await reserve('o1', [{ itemId: 'burger', quantity: 1 }]));
    await store.repo.insertReservation({ ...old, orderId: 'o-old' });
    unwrap(await uc.upsertMerchant(merchantInput({ name: 'Curry Kreuzberg', address: 'Mehringdamm 36' })));
    expect(unwrap(await reserve('o-old', [{ itemId: 'burger', quantity: 1 }]))).toMatchObject({
      location: { lat: 52.52, lng: 13.405 },
      merchantName: 'Curry Kreuzberg',
      pickupAddress: 'Mehringdamm 36',
    });
  });

  it('names a merchant without an address with an empty pickup address', async () => {
    unwrap(await uc.upsertMerchant(merchantInput({ id: 'm2', name: 'Other', address: '' })));
    unwrap(await uc.upsertMenuItem(itemInput('m2-dish', { merchantId: 'm2' })));
    expect(unwrap(await reserve('o9', [{ itemId: 'm2-dish', quantity: 1 }], 'm2'))).toMatchObject({
      merchantName: 'Other',
      pickupAddress: '',
    });
  });

  it('refuses a repeat that asks for something else, and one after a release', async () => {
    unwrap(await reserve('o1', [{ itemId: 'burger', quantity: 2 }]));
    expect(await reserve('o1', [{ itemId: 'burger', quantity: 3 }])).toMatchObject({
      ok: false,
      error: { code: 'RESERVATION_MISMATCH' },
    });
    unwrap(await uc.releaseStock({ orderId: 'o1', reason: 'PLACEMENT_FAILED' }));
    expect(await reserve('o1', [{ itemId: 'burger', quantity: 2 }])).toMatchObject({
      ok: false,
      error: { code: 'RESERVATION_RELEASED', kind: 'conflict' },
    });
    expect(store.item('burger')?.stock).toBe(5);
  });

  it('fails with STOCK_EXHAUSTED naming the short lines, and takes nothing from the others', async () => {
    const result = await reserve('o1', [
      { itemId: 'fries', quantity: 2 },
      { itemId: 'burger', quantity: 1 },
    ]);
    expect(result).toMatchObject({
      ok: false,
      error: { kind: 'exhausted', code: 'STOCK_EXHAUSTED', fields: [{ field: 'lines[0].quantity' }] },
    });
    expect(!result.ok && result.error.fields).toHaveLength(1);
    expect(store.item('burger')?.stock).toBe(5);
    expect(await store.repo.getReservation('o1')).toBeUndefined();
    // The order id stays free: a corrected request can use it.
    expect((await reserve('o1', [{ itemId: 'fries', quantity: 1 }])).ok).toBe(true);
  });

  it.each([
    ['unknown merchant', 'MERCHANT_NOT_FOUND', 'm-unknown', [{ itemId: 'burger', quantity: 1 }]],
    ['unknown item', 'ITEM_NOT_FOUND', 'm1', [{ itemId: 'pizza', quantity: 1 }]],
    ['unavailable item', 'ITEM_UNAVAILABLE', 'm1', [{ itemId: 'shake', quantity: 1 }]],
    ['zero quantity', 'INVALID_ARGUMENT', 'm1', [{ itemId: 'burger', quantity: 0 }]],
  ])('refuses an order for an %s with %s', async (_what, code, merchantId, lines) => {
    expect(await reserve('o1', lines, merchantId)).toMatchObject({ ok: false, error: { code } });
    expect(store.item('burger')?.stock).toBe(5);
  });

  it("refuses another merchant's item as not found", async () => {
    unwrap(await uc.upsertMerchant(merchantInput({ id: 'm2', name: 'Other' })));
    unwrap(await uc.upsertMenuItem(itemInput('sushi', { merchantId: 'm2' })));
    expect(await reserve('o1', [{ itemId: 'sushi', quantity: 1 }])).toMatchObject({
      ok: false,
      error: { code: 'ITEM_NOT_FOUND', fields: [{ field: 'lines[0].item_id' }] },
    });
  });

  it('refuses orders while closed, paused or auto-paused, each with its own code', async () => {
    const line = [{ itemId: 'burger', quantity: 1 }];
    clock.set(new Date('2026-11-23T22:00:00Z')); // 23:00 in Berlin
    expect(await reserve('o1', line)).toMatchObject({ ok: false, error: { code: 'MERCHANT_CLOSED' } });
    clock.set(new Date('2026-11-23T11:00:00Z'));
    unwrap(await uc.setMerchantStatus({ merchantId: 'm1', status: 'PAUSED' }));
    expect(await reserve('o2', line)).toMatchObject({ ok: false, error: { code: 'MERCHANT_PAUSED' } });
    unwrap(await uc.setMerchantStatus({ merchantId: 'm1', status: 'OPEN' }));
    await store.repo.updateControl('m1', { manualStatus: 'OPEN', autoPaused: true, backlog: 4 });
    expect(await reserve('o3', line)).toMatchObject({ ok: false, error: { code: 'MERCHANT_BUSY' } });
    expect(store.item('burger')?.stock).toBe(5);
  });

  it('refuses a drop-off outside the delivery area, naming it, and takes nothing', async () => {
    const line = [{ itemId: 'burger', quantity: 1 }];
    const potsdam = { lat: 52.3906, lng: 13.0645 }; // ~27 km from the merchant; its radius is 5 km
    expect(
      await uc.reserveStock({ orderId: 'o1', merchantId: 'm1', lines: line, dropoff: potsdam }),
    ).toMatchObject({ ok: false, error: { code: 'OUT_OF_DELIVERY_AREA', fields: [{ field: 'dropoff' }] } });
    expect(store.item('burger')?.stock).toBe(5);
    expect(await store.repo.getReservation('o1')).toBeUndefined();
    const alexanderplatz = { lat: 52.5219, lng: 13.4132 }; // ~0.6 km
    unwrap(await uc.reserveStock({ orderId: 'o2', merchantId: 'm1', lines: line, dropoff: alexanderplatz }));
    // A merchant that widens its area takes the far order, under a new order id as ever.
    unwrap(await uc.upsertMerchant(merchantInput({ deliveryRadiusM: 30_000 })));
    unwrap(await uc.reserveStock({ orderId: 'o3', merchantId: 'm1', lines: line, dropoff: potsdam }));
    expect(store.item('burger')?.stock).toBe(3);
    expect(
      await uc.reserveStock({ orderId: 'o4', merchantId: 'm1', lines: line, dropoff: { lat: 95, lng: 0 } }),
    ).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT', fields: [{ field: 'dropoff.lat' }] } });
  });

  it('releases once: the second release and an unknown order restore nothing', async () => {
    unwrap(await reserve('o1', [{ itemId: 'burger', quantity: 2 }]));
    expect(unwrap(await uc.releaseStock({ orderId: 'o1', reason: '' }))).toEqual({ released: true });
    expect(unwrap(await uc.releaseStock({ orderId: 'o1', reason: '' }))).toEqual({ released: false });
    expect(unwrap(await uc.releaseStock({ orderId: 'never-reserved', reason: '' }))).toEqual({
      released: false,
    });
    expect(store.item('burger')?.stock).toBe(5);
  });

  it('lets a release that came first block a late reservation of the same order', async () => {
    unwrap(await uc.releaseStock({ orderId: 'o-late', reason: 'PLACEMENT_TIMED_OUT' }));
    expect(await reserve('o-late', [{ itemId: 'burger', quantity: 1 }])).toMatchObject({
      ok: false,
      error: { code: 'RESERVATION_RELEASED' },
    });
    expect(store.item('burger')?.stock).toBe(5);
  });

  it('quotes a longer preparation time when the backlog is deeper', async () => {
    await store.repo.updateControl('m1', { manualStatus: 'OPEN', autoPaused: false, backlog: 2 });
    expect(unwrap(await reserve('o1', [{ itemId: 'burger', quantity: 1 }])).prepEstimateSeconds).toBe(1200);
  });
});
