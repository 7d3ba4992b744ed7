import { beforeEach, describe, expect, it } from 'vitest';
import { unwrap } from '@mealpeak/core';
import { OrderState } from '@mealpeak/contracts/order.v1';
import { createLogger } from '@mealpeak/telemetry';
import type { OrderState as StateName } from '../domain/types.ts';
import type { FakeOrderService } from './test-support/fake-order-service.ts';
import { createInMemoryStore, type InMemoryStore } from './test-support/in-memory-store.ts';
import { itemInput, merchantInput, testDeps, type TestClock } from './test-support/fixtures.ts';
import { createUseCases, type UseCases } from './use-cases.ts';

describe('order events and the reservation sweeper', () => {
  let store: InMemoryStore;
  let uc: UseCases;
  let orders: FakeOrderService;
  let clock: TestClock;

  beforeEach(async () => {
    store = createInMemoryStore();
    const t = testDeps(store);
    orders = t.orders;
    clock = t.clock;
    uc = createUseCases(t.deps);
    unwrap(await uc.upsertMerchant(merchantInput()));
    unwrap(await uc.upsertMenuItem(itemInput('burger', { stock: 10 })));
  });

  const reserve = async (orderId: string, quantity = 2) =>
    unwrap(await uc.reserveStock({ orderId, merchantId: 'm1', lines: [{ itemId: 'burger', quantity }] }));
  const event = (eventId: string, orderId: string, state: StateName, version: number, reason = '') => ({
    eventId,
    reason,
    snapshot: { orderId, merchantId: 'm1', state, version },
  });
  const stock = () => store.item('burger')?.stock;
  const reservationState = async (orderId: string) => (await store.repo.getReservation(orderId))?.state;

  describe('consumer', () => {
    it('applies a batch in log order, sharing one confirmation step among consecutive PLACED events', async () => {
      for (const id of ['o1', 'o2', 'o3', 'o4']) await reserve(id, 1);
      const calls: number[] = [];
      const confirm = store.repo.confirmPlaced.bind(store.repo);
      store.repo.confirmPlaced = async (consumer, placed) => {
        calls.push(placed.length);
        return confirm(consumer, placed);
      };
      const outcomes = await uc.applyOrderEvents([
        event('p1', 'o1', 'PLACED', 1),
        event('p2', 'o2', 'PLACED', 1),
        event('p1', 'o1', 'PLACED', 1), // redelivered inside the same batch
        event('a1', 'o1', 'ACCEPTED', 2),
        event('p3', 'o3', 'PLACED', 1),
        event('c2', 'o2', 'CANCELLED', 2, 'CUSTOMER_CHANGED_MIND'),
        event('p4', 'o4', 'PLACED', 1),
        event('p3', 'o3', 'PLACED', 1), // and again, in a later run
      ]);
      expect(outcomes).toEqual([
        'applied',
        'applied',
        'duplicate',
        'applied',
        'applied',
        'applied',
        'applied',
        'duplicate',
      ]);
      expect(calls).toEqual([3, 1, 2]);
      expect(await reservationState('o1')).toBe('confirmed');
      expect(await reservationState('o2')).toBe('released');
      expect(await reservationState('o3')).toBe('confirmed');
      expect(await reservationState('o4')).toBe('confirmed');
      expect(store.kitchenOrder('o1')?.state).toBe('accepted');
      expect(stock()).toBe(7); // 10 - 4 reserved + 1 released
    });

    it('confirms the reservation on PLACED', async () => {
      await reserve('o1');
      expect(await uc.applyOrderEvent(event('e1', 'o1', 'PLACED', 1))).toBe('applied');
      expect(await reservationState('o1')).toBe('confirmed');
    });

    it('follows the kitchen through ACCEPTED and READY_FOR_PICKUP', async () => {
      await reserve('o1');
      await uc.applyOrderEvent(event('e2', 'o1', 'ACCEPTED', 2));
      expect((await store.repo.getMerchant('m1'))?.backlog).toBe(1);
      await uc.applyOrderEvent(event('e3', 'o1', 'READY_FOR_PICKUP', 3));
      expect(store.kitchenOrder('o1')?.state).toBe('ready');
      expect((await store.repo.getMerchant('m1'))?.backlog).toBe(0);
    });

    it.each<StateName>(['REJECTED', 'CANCELLED'])(
      'releases the stock on %s and drops the order from the backlog',
      async (state) => {
        await reserve('o1');
        await uc.applyOrderEvent(event('e1', 'o1', 'ACCEPTED', 2));
        await uc.applyOrderEvent(event('e2', 'o1', state, 3, 'CUSTOMER_CHANGED_MIND'));
        expect(stock()).toBe(10);
        expect(await reservationState('o1')).toBe('released');
        expect((await store.repo.getMerchant('m1'))?.backlog).toBe(0);
      },
    );

    it('applies a redelivered event once (inbox)', async () => {
      await reserve('o1');
      const cancelled = event('e9', 'o1', 'CANCELLED', 2);
      expect(await uc.applyOrderEvent(cancelled)).toBe('applied');
      // Someone restocks in between; a second application would add the 2 units again.
      unwrap(await uc.setStock({ merchantId: 'm1', itemId: 'burger', stock: 10 }));
      expect(await uc.applyOrderEvent(cancelled)).toBe('duplicate');
      expect(stock()).toBe(10);
    });

    it('ignores a stale snapshot that arrives after a newer one', async () => {
      await reserve('o1');
      await uc.applyOrderEvent(event('e3', 'o1', 'READY_FOR_PICKUP', 3));
      await uc.applyOrderEvent(event('e2', 'o1', 'ACCEPTED', 2));
      expect(store.kitchenOrder('o1')).toMatchObject({ state: 'ready', version: 3 });
      expect((await store.repo.getMerchant('m1'))?.backlog).toBe(0);
    });

    it('reports (and survives) a PLACED order whose reservation the sweeper already released', async () => {
      const lines: string[] = [];
      const t = testDeps(store, { orders, clock });
      const logged = createUseCases({
        ...t.deps,
        logger: createLogger({
          service: 't',
          level: 'error',
          destination: { write: (l: string) => void lines.push(l) },
        }),
      });
      await reserve('late');
      clock.advance(121_000);
      await logged.sweepReservations(10); // the order service does not know the order (yet)
      expect(await logged.applyOrderEvent(event('e-late', 'late', 'PLACED', 1))).toBe('applied');
      expect(await reservationState('late')).toBe('released');
      expect(lines.map((l) => (JSON.parse(l) as { orderId: string }).orderId)).toEqual(['late']);
    });

    it('heals the kitchen view when the merchant command crashed after the order service answered', async () => {
      await reserve('o1');
      orders.place('o1', 'm1');
      // The transition happened at the order service, but our own update never ran:
      unwrap(await orders.transition('o1', 'm1', { kind: 'accept', prepSeconds: 600 }, {}));
      await uc.applyOrderEvent(event('e2', 'o1', 'ACCEPTED', 2));
      expect((await store.repo.getMerchant('m1'))?.backlog).toBe(1);
    });
  });

  describe('sweeper', () => {
    const expire = () => clock.advance(121_000);

    it('leaves reservations alone until reserved_until has passed', async () => {
      await reserve('o1');
      expect(await uc.sweepReservations(10)).toMatchObject({ claimed: 0 });
    });

    it('releases an orphan (the order service never stored the order)', async () => {
      await reserve('orphan');
      expire();
      expect(await uc.sweepReservations(10)).toEqual({ claimed: 1, confirmed: 0, released: 1, deferred: 0 });
      expect(stock()).toBe(10);
      expect(await reservationState('orphan')).toBe('released');
    });

    it('confirms a reservation whose order exists, and releases one whose order was cancelled', async () => {
      await reserve('live');
      await reserve('gone');
      orders.place('live', 'm1');
      orders.place('gone', 'm1', OrderState.ORDER_STATE_CANCELLED);
      expire();
      expect(await uc.sweepReservations(10)).toMatchObject({ claimed: 2, confirmed: 1, released: 1 });
      expect(await reservationState('live')).toBe('confirmed');
      expect(await reservationState('gone')).toBe('released');
      expect(stock()).toBe(8);
    });

    it('asks again later when the order service is down, and never releases on doubt', async () => {
      await reserve('o1');
      expire();
      orders.down = true;
      expect(await uc.sweepReservations(10)).toMatchObject({ claimed: 1, deferred: 1, released: 0 });
      orders.down = false;
      expect(await uc.sweepReservations(10)).toMatchObject({ claimed: 0 }); // leased for 30 s
      clock.advance(30_000);
      expect(await uc.sweepReservations(10)).toMatchObject({ claimed: 1, released: 1 });
      expect(stock()).toBe(10);
    });

    it('does not touch reservations already confirmed by their PLACED event', async () => {
      await reserve('o1');
      await uc.applyOrderEvent(event('e1', 'o1', 'PLACED', 1));
      expire();
      expect(await uc.sweepReservations(10)).toMatchObject({ claimed: 0 });
      expect(stock()).toBe(8);
    });
  });
});
