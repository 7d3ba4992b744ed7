import { beforeEach, describe, expect, it } from 'vitest';
import { unwrap } from '@mealpeak/core';
import { OrderState } from '@mealpeak/contracts/order.v1';
import type { FakeOrderService } from './test-support/fake-order-service.ts';
import { createInMemoryStore, type InMemoryStore } from './test-support/in-memory-store.ts';
import { itemInput, merchantInput, testDeps } from './test-support/fixtures.ts';
import { createUseCases, type UseCases } from './use-cases.ts';

describe('accept, reject, mark ready', () => {
  let store: InMemoryStore;
  let uc: UseCases;
  let orders: FakeOrderService;

  beforeEach(async () => {
    store = createInMemoryStore();
    const t = testDeps(store);
    orders = t.orders;
    uc = createUseCases(t.deps);
    // capacity 2, auto-pause at 4, resume at 3
    unwrap(await uc.upsertMerchant(merchantInput()));
    unwrap(await uc.upsertMerchant(merchantInput({ id: 'm2', name: 'Other' })));
    unwrap(await uc.upsertMenuItem(itemInput('burger', { stock: 100 })));
  });

  async function placed(orderId: string) {
    unwrap(await uc.reserveStock({ orderId, merchantId: 'm1', lines: [{ itemId: 'burger', quantity: 1 }] }));
    orders.place(orderId, 'm1');
  }
  const backlog = async () => (await store.repo.getMerchant('m1'))!.backlog;

  it('accepts with the current prep estimate as the merchant, and counts the order in the backlog', async () => {
    await placed('o1');
    const deadline = new Date('2030-01-01T00:00:00Z');
    const order = unwrap(await uc.acceptOrder({ merchantId: 'm1', orderId: 'o1' }, { deadline }));
    expect(order.state).toBe(OrderState.ORDER_STATE_ACCEPTED);
    expect(orders.calls).toEqual([
      {
        orderId: 'o1',
        merchantId: 'm1',
        command: { kind: 'accept', prepSeconds: 600 },
        options: { deadline },
      },
    ]);
    expect(store.kitchenOrder('o1')).toMatchObject({ state: 'accepted', version: 2 });
    expect(await backlog()).toBe(1);
  });

  it('finds an order given by its UUID in upper case (the order service hands ids out in lower case)', async () => {
    const id = '0190f3c1-0000-7000-8000-00000000abcd';
    await placed(id);
    const order = unwrap(await uc.acceptOrder({ merchantId: 'm1', orderId: id.toUpperCase() }));
    expect(order.state).toBe(OrderState.ORDER_STATE_ACCEPTED);
    expect(orders.calls.map((c) => c.orderId)).toEqual([id]);
  });

  it('grows the estimate with the backlog', async () => {
    for (const id of ['o1', 'o2', 'o3']) await placed(id);
    unwrap(await uc.acceptOrder({ merchantId: 'm1', orderId: 'o1' }));
    unwrap(await uc.acceptOrder({ merchantId: 'm1', orderId: 'o2' }));
    unwrap(await uc.acceptOrder({ merchantId: 'm1', orderId: 'o3' }));
    expect(orders.calls.map((c) => c.command)).toEqual([
      { kind: 'accept', prepSeconds: 600 },
      { kind: 'accept', prepSeconds: 600 },
      { kind: 'accept', prepSeconds: 1200 }, // two in the kitchen of capacity 2
    ]);
  });

  let events = 0;
  async function placedAndFiled(orderId: string) {
    await placed(orderId);
    // The PLACED event files the order in the kitchen: it is in the merchant's backlog from now on.
    await uc.applyOrderEvent({
      eventId: `00000000-0000-4000-8000-${String(++events).padStart(12, '0')}`,
      snapshot: { orderId, merchantId: 'm1', state: 'PLACED', version: 1 },
      reason: '',
    });
  }

  it('quotes an idle kitchen its base time on accept once the order is filed (not itself ahead of it)', async () => {
    unwrap(await uc.upsertMerchant(merchantInput({ kitchenCapacity: 1, autoPauseBacklog: 0 })));
    await placedAndFiled('o1');
    expect(await backlog()).toBe(1);
    unwrap(await uc.acceptOrder({ merchantId: 'm1', orderId: 'o1' }));
    expect(orders.calls[0]!.command).toEqual({ kind: 'accept', prepSeconds: 600 });
  });

  it('counts only the orders ahead on accept: accepted ones and those placed before, not later ones', async () => {
    unwrap(await uc.upsertMerchant(merchantInput({ autoPauseBacklog: 0 }))); // capacity 2
    for (const id of ['o1', 'o2', 'o3', 'o4']) await placedAndFiled(id);
    expect(await backlog()).toBe(4);
    unwrap(await uc.acceptOrder({ merchantId: 'm1', orderId: 'o1' })); // nothing ahead
    unwrap(await uc.acceptOrder({ merchantId: 'm1', orderId: 'o4' })); // o1 accepted, o2 o3 placed before
    unwrap(await uc.acceptOrder({ merchantId: 'm1', orderId: 'o2' })); // o1 and o4 accepted
    unwrap(await uc.markOrderReady({ merchantId: 'm1', orderId: 'o1' }));
    unwrap(await uc.acceptOrder({ merchantId: 'm1', orderId: 'o3' })); // o4 and o2 accepted
    expect(orders.calls.filter((c) => c.command.kind === 'accept').map((c) => c.command)).toEqual([
      { kind: 'accept', prepSeconds: 600 },
      { kind: 'accept', prepSeconds: 1200 },
      { kind: 'accept', prepSeconds: 1200 },
      { kind: 'accept', prepSeconds: 1200 },
    ]);
  });

  it('marks ready: the order leaves the backlog', async () => {
    await placed('o1');
    unwrap(await uc.acceptOrder({ merchantId: 'm1', orderId: 'o1' }));
    const order = unwrap(await uc.markOrderReady({ merchantId: 'm1', orderId: 'o1' }));
    expect(order.state).toBe(OrderState.ORDER_STATE_READY_FOR_PICKUP);
    expect(store.kitchenOrder('o1')).toMatchObject({ state: 'ready', version: 3 });
    expect(await backlog()).toBe(0);
  });

  it('rejects with a reason and puts the stock back', async () => {
    await placed('o1');
    const order = unwrap(await uc.rejectOrder({ merchantId: 'm1', orderId: 'o1', reason: 'OUT_OF_STOCK' }));
    expect(order).toMatchObject({ state: OrderState.ORDER_STATE_REJECTED, reason: 'OUT_OF_STOCK' });
    expect(store.item('burger')?.stock).toBe(100);
    expect((await store.repo.getReservation('o1'))?.state).toBe('released');
    expect(await uc.rejectOrder({ merchantId: 'm1', orderId: 'o1', reason: ' ' })).toMatchObject({
      ok: false,
      error: { code: 'INVALID_ARGUMENT', fields: [{ field: 'reason' }] },
    });
  });

  it("answers ORDER_NOT_FOUND for another merchant's order and never calls the order service", async () => {
    await placed('o1');
    expect(await uc.acceptOrder({ merchantId: 'm2', orderId: 'o1' })).toMatchObject({
      ok: false,
      error: { code: 'ORDER_NOT_FOUND', kind: 'not_found' },
    });
    expect(await uc.markOrderReady({ merchantId: 'm1', orderId: 'no-such-order' })).toMatchObject({
      ok: false,
      error: { code: 'ORDER_NOT_FOUND' },
    });
    expect(orders.calls).toEqual([]);
  });

  it("passes the order service's errors through unchanged and changes nothing", async () => {
    await placed('o1');
    expect(await uc.markOrderReady({ merchantId: 'm1', orderId: 'o1' })).toEqual({
      ok: false,
      error: { kind: 'conflict', code: 'ILLEGAL_TRANSITION', message: 'not from this state' },
    });
    orders.down = true;
    expect(await uc.acceptOrder({ merchantId: 'm1', orderId: 'o1' })).toMatchObject({
      ok: false,
      error: { kind: 'unavailable', code: 'GRPC_UNAVAILABLE' },
    });
    expect(store.kitchenOrder('o1')).toBeUndefined();
    expect(await backlog()).toBe(0);
  });

  it('auto-pauses at the threshold and resumes at 75% of it, publishing each change once', async () => {
    for (const id of ['o1', 'o2', 'o3', 'o4', 'o5']) await placed(id);
    for (const id of ['o1', 'o2', 'o3']) unwrap(await uc.acceptOrder({ merchantId: 'm1', orderId: id }));
    expect(store.events()).toEqual([]);
    unwrap(await uc.acceptOrder({ merchantId: 'm1', orderId: 'o4' })); // backlog 4: pause
    expect(unwrap(await uc.getMerchant('m1')).merchant.status).toBe('AUTO_PAUSED');
    // While auto-paused, orders placed before can still be accepted: the backlog grows past the threshold.
    unwrap(await uc.acceptOrder({ merchantId: 'm1', orderId: 'o5' })); // backlog 5
    unwrap(await uc.markOrderReady({ merchantId: 'm1', orderId: 'o1' })); // 4
    unwrap(await uc.markOrderReady({ merchantId: 'm1', orderId: 'o2' })); // 3: resume (<= 3)
    expect(unwrap(await uc.getMerchant('m1')).merchant.status).toBe('OPEN');
    expect(store.events().map((e) => [e.from, e.to, e.reason, e.merchant.backlog])).toEqual([
      ['OPEN', 'AUTO_PAUSED', 'BACKLOG_ABOVE_THRESHOLD', 4],
      ['AUTO_PAUSED', 'OPEN', 'BACKLOG_RECOVERED', 3],
    ]);
  });
});
