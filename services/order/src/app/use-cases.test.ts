import { beforeEach, describe, expect, it } from 'vitest';
import { codedError } from '@mealpeak/core';
import { createLogger } from '@mealpeak/telemetry';
import { FakeReservations, ManualClock, MemoryOrderStore } from '../../test/fakes.ts';
import type { PlaceOrderInput } from '../domain/placement.ts';
import { createOrderUseCases } from './use-cases.ts';

const input: PlaceOrderInput = {
  orderId: '0190f3c1-0000-7000-8000-00000000000a',
  customerId: 'c-1',
  merchantId: 'm-1',
  lines: [{ itemId: 'i-1', quantity: 2 }],
  dropoff: { lat: 31.2, lng: 121.4 },
  dropoffAddress: 'x',
};

describe('order use cases', () => {
  let store: MemoryOrderStore;
  let reservations: FakeReservations;
  let clock: ManualClock;
  let useCases: ReturnType<typeof createOrderUseCases>;

  beforeEach(() => {
    store = new MemoryOrderStore();
    reservations = new FakeReservations();
    clock = new ManualClock(new Date('2026-11-22T11:55:00.000Z'));
    useCases = createOrderUseCases({
      store,
      reservations,
      clock,
      policy: { acceptTimeoutSeconds: 120, promiseMarginSeconds: 900, riderSpeedMps: 5 },
      logger: createLogger({ service: 't', level: 'silent' }),
    });
  });

  it('places an order priced by the merchant and publishes PLACED', async () => {
    const result = await useCases.placeOrder(input);
    expect(result.ok && result.value).toMatchObject({
      id: input.orderId,
      state: 'PLACED',
      total: { amountMinor: 2000, currency: 'CNY' },
    });
    expect(store.published.map((p) => p.change.to)).toEqual(['PLACED']);
  });

  it('stores the order only while the merchant still holds the stock, and gives the hold back if too late', async () => {
    // The process stalled after the reservation: the hold ends 10 s from now, inside the margin.
    reservations.reservedUntil = new Date(Date.now() + 10_000);
    expect(await useCases.placeOrder(input)).toMatchObject({
      ok: false,
      error: { kind: 'conflict', code: 'RESERVATION_EXPIRED' },
    });
    expect(store.orders.size).toBe(0);
    expect(store.published).toEqual([]);
    expect(reservations.released).toEqual([input.orderId]);
    // With the hold's end comfortably ahead it is stored as usual.
    reservations.reservedUntil = new Date(Date.now() + 120_000);
    const other = { ...input, orderId: '0190f3c1-0000-7000-8000-00000000000b' };
    expect((await useCases.placeOrder(other)).ok).toBe(true);
  });

  it('is idempotent on the order id: a repeat returns the same order and stores nothing more', async () => {
    const first = await useCases.placeOrder(input);
    clock.advance(5);
    const second = await useCases.placeOrder(input);
    expect(second).toEqual(first);
    expect(store.orders.size).toBe(1);
    expect(store.published.map((p) => p.change.to)).toEqual(['PLACED']);
  });

  it('answers a repeat of an order whose reservation was since released with the order itself', async () => {
    const first = await useCases.placeOrder(input);
    await useCases.transition(
      input.orderId,
      { kind: 'CANCEL', reason: 'CHANGED_MIND' },
      { role: 'customer', id: 'c-1' },
    );
    reservations.failWith = codedError('conflict', 'RESERVATION_RELEASED', 'released');
    const again = await useCases.placeOrder(input);
    expect(again.ok && again.value).toMatchObject({ id: first.ok ? first.value.id : '', state: 'CANCELLED' });
  });

  it('refuses the same order id for a different order', async () => {
    await useCases.placeOrder(input);
    const other = await useCases.placeOrder({ ...input, lines: [{ itemId: 'i-1', quantity: 5 }] });
    expect(!other.ok && other.error.code).toBe('ORDER_ID_CONFLICT');
  });

  it('passes the merchant refusal through and stores nothing', async () => {
    reservations.failWith = codedError('exhausted', 'STOCK_EXHAUSTED', 'only 1 left', [
      { field: 'lines[0].quantity', message: 'only 1 left' },
    ]);
    const result = await useCases.placeOrder(input);
    expect(!result.ok && result.error.code).toBe('STOCK_EXHAUSTED');
    expect(store.orders.size).toBe(0);
  });

  it('releases the reservation when the order could not be stored and does not exist', async () => {
    store.failInsert = new Error('connection lost');
    await expect(useCases.placeOrder(input)).rejects.toThrow('connection lost');
    expect(reservations.released).toEqual([input.orderId]);
  });

  it('leaves the reservation to the merchant sweeper when it cannot tell whether the order exists', async () => {
    store.failInsert = new Error('connection lost');
    store.failGet = new Error('still down');
    await expect(useCases.placeOrder(input)).rejects.toThrow('connection lost');
    expect(reservations.released).toEqual([]);
  });

  it('rejects only orders past their acceptance deadline', async () => {
    await useCases.placeOrder(input);
    await useCases.placeOrder({ ...input, orderId: '0190f3c1-0000-7000-8000-00000000000b' });
    const accepted = await useCases.transition(
      '0190f3c1-0000-7000-8000-00000000000b',
      { kind: 'ACCEPT', prepSeconds: 300 },
      { role: 'merchant', id: 'm-1' },
    );
    expect(accepted.ok).toBe(true);
    clock.advance(119);
    expect(await useCases.expireOverdue()).toBe(0);
    clock.advance(1);
    expect(await useCases.expireOverdue()).toBe(1);
    expect(store.orders.get(input.orderId)).toMatchObject({ state: 'REJECTED', reason: 'MERCHANT_TIMEOUT' });
    expect(store.orders.get('0190f3c1-0000-7000-8000-00000000000b')?.state).toBe('ACCEPTED');
  });

  it('applies an event once when it carries an inbox claim', async () => {
    await useCases.placeOrder(input);
    const merchant = { role: 'merchant', id: 'm-1' } as const;
    await useCases.transition(input.orderId, { kind: 'ACCEPT', prepSeconds: 60 }, merchant);
    const claim = { consumer: 'order', eventId: 'e-1' };
    const first = await useCases.transition(
      input.orderId,
      { kind: 'ASSIGN_RIDER', riderId: 'r-1' },
      { role: 'system', id: 'dispatch' },
      claim,
    );
    const again = await useCases.transition(
      input.orderId,
      { kind: 'ASSIGN_RIDER', riderId: 'r-2' },
      { role: 'system', id: 'dispatch' },
      claim,
    );
    expect(first.ok && first.value !== 'duplicate' && first.value.riderId).toBe('r-1');
    expect(again).toEqual({ ok: true, value: 'duplicate' });
  });

  it('answers ORDER_NOT_FOUND for unknown orders', async () => {
    const missing = '0190f3c1-0000-7000-8000-0000000000ff';
    expect(await useCases.getOrder(missing)).toMatchObject({ ok: false, error: { code: 'ORDER_NOT_FOUND' } });
    expect(await useCases.timeline(missing)).toMatchObject({ ok: false, error: { code: 'ORDER_NOT_FOUND' } });
    expect(
      await useCases.transition(missing, { kind: 'MARK_READY' }, { role: 'merchant', id: 'm-1' }),
    ).toMatchObject({ ok: false, error: { code: 'ORDER_NOT_FOUND' } });
  });
});
