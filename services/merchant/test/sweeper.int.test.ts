import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unwrap } from '@mealpeak/core';
import { OrderState } from '@mealpeak/contracts/order.v1';
import { eventually } from '@mealpeak/testing';
import { createFakeOrderService } from '../src/app/test-support/fake-order-service.ts';
import { createTestClock, itemInput, merchantInput } from '../src/app/test-support/fixtures.ts';
import { createMerchantDb, type MerchantDb } from './support.ts';

describe('reservation sweeper against the real PostgreSQL', () => {
  let mdb: MerchantDb;

  beforeAll(async () => {
    mdb = await createMerchantDb(10);
  });
  afterAll(async () => {
    await mdb?.close();
  });

  const state = async (orderId: string) =>
    (await mdb.pool.query<{ state: string }>('SELECT state FROM reservations WHERE order_id = $1', [orderId]))
      .rows[0]?.state;

  it('releases orphans and confirms live orders, with two replicas sweeping at once', async () => {
    // Two replicas: one database, one order service, one clock, separate use cases.
    const orders = createFakeOrderService();
    const clock = createTestClock();
    const a = mdb.service({ orders, clock }).service;
    const b = mdb.service({ orders, clock }).service;
    unwrap(await a.useCases.upsertMerchant(merchantInput()));
    unwrap(await a.useCases.upsertMenuItem(itemInput('dish', { stock: 100 })));
    const reserve = (id: string) =>
      a.useCases.reserveStock({ orderId: id, merchantId: 'm1', lines: [{ itemId: 'dish', quantity: 1 }] });
    for (let i = 0; i < 20; i++) unwrap(await reserve(`orphan-${i}`));
    for (let i = 0; i < 20; i++) {
      unwrap(await reserve(`live-${i}`));
      orders.place(`live-${i}`, 'm1');
    }
    unwrap(await reserve('cancelled'));
    orders.place('cancelled', 'm1', OrderState.ORDER_STATE_CANCELLED);
    expect(await mdb.stock('dish')).toBe(59);

    expect((await a.useCases.sweepReservations(100)).claimed).toBe(0); // nothing is due yet
    clock.advance(121_000);
    unwrap(await reserve('young')); // reserved just now: not due
    const reports = await Promise.all([a, b, a, b].map((s) => s.useCases.sweepReservations(15)));
    const total = (k: 'claimed' | 'released' | 'confirmed') => reports.reduce((n, r) => n + r[k], 0);
    // Each due reservation claimed by exactly one sweep: 41 due, none twice.
    expect({ claimed: total('claimed'), released: total('released'), confirmed: total('confirmed') }).toEqual(
      {
        claimed: 41,
        released: 21,
        confirmed: 20,
      },
    );
    expect(await mdb.stock('dish')).toBe(100 - 20 - 1);
    expect(await state('orphan-0')).toBe('released');
    expect(await state('live-0')).toBe('confirmed');
    expect(await state('cancelled')).toBe('released');
    expect(await state('young')).toBe('tentative');
  });

  it('settles PLACED events that find their reservation released: re-takes the stock, or rejects the order', async () => {
    const orders = createFakeOrderService();
    const clock = createTestClock();
    const { service } = mdb.service({ orders, clock });
    const uc = service.useCases;
    unwrap(await uc.upsertMerchant(merchantInput({ id: 'm-late' })));
    unwrap(await uc.upsertMenuItem(itemInput('late-dish', { merchantId: 'm-late', stock: 10 })));
    const reserve = (id: string, quantity: number) =>
      uc.reserveStock({ orderId: id, merchantId: 'm-late', lines: [{ itemId: 'late-dish', quantity }] });
    unwrap(await reserve('late-kept', 3));
    unwrap(await reserve('late-short', 4));
    clock.advance(121_000);
    // The order service does not know either order yet: the sweeper releases both.
    expect(await uc.sweepReservations(10)).toMatchObject({ released: 2 });
    expect(await mdb.stock('late-dish')).toBe(10);
    unwrap(await reserve('on-time', 5)); // meanwhile another order takes half of it
    for (const id of ['late-kept', 'late-short', 'on-time']) orders.place(id, 'm-late');
    const placed = (orderId: string) => ({
      eventId: randomUUID(),
      reason: '',
      snapshot: { orderId, merchantId: 'm-late', state: 'PLACED' as const, version: 1 },
    });
    const events = [placed('late-kept'), placed('on-time'), placed('late-short')];
    expect(await uc.applyOrderEvents(events)).toEqual(['applied', 'applied', 'applied']);
    expect(await state('late-kept')).toBe('confirmed');
    expect(await state('on-time')).toBe('confirmed');
    expect(await state('late-short')).toBe('released');
    expect(await mdb.stock('late-dish')).toBe(2); // 10 - 5 - 3; the 4 were not there
    expect(orders.orders.get('late-short')?.state).toBe(OrderState.ORDER_STATE_REJECTED);
    expect(orders.calls.map((c) => [c.orderId, c.command])).toEqual([
      ['late-short', { kind: 'reject', reason: 'OUT_OF_STOCK', bySystem: true }],
    ]);
    // Every one of them claimed exactly once.
    expect(await uc.applyOrderEvents(events)).toEqual(['duplicate', 'duplicate', 'duplicate']);
    expect(await mdb.stock('late-dish')).toBe(2);
  });

  it('runs as a loop and stops cleanly', async () => {
    const clock = createTestClock();
    const { service } = mdb.service({ clock });
    unwrap(await service.useCases.upsertMerchant(merchantInput({ id: 'm-loop' })));
    unwrap(await service.useCases.upsertMenuItem(itemInput('loop-dish', { merchantId: 'm-loop', stock: 5 })));
    unwrap(
      await service.useCases.reserveStock({
        orderId: 'loop-orphan',
        merchantId: 'm-loop',
        lines: [{ itemId: 'loop-dish', quantity: 2 }],
      }),
    );
    service.sweeper.start();
    try {
      clock.advance(121_000);
      await eventually(async () => ((await state('loop-orphan')) === 'released' ? true : undefined), 10_000);
      expect(await mdb.stock('loop-dish')).toBe(5);
    } finally {
      await service.sweeper.stop();
    }
  });
});
