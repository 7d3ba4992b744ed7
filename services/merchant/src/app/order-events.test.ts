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

    it('counts orders waiting for acceptance in the backlog: the estimate grows, a flood pauses', async () => {
      unwrap(await uc.upsertMerchant(merchantInput({ autoPauseBacklog: 4 }))); // capacity 2, 10 min
      for (const id of ['i1', 'i2', 'i3']) await reserve(id, 1);
      await uc.applyOrderEvents(['i1', 'i2', 'i3'].map((id) => event(`p-${id}`, id, 'PLACED', 1)));
      const merchant = async () => unwrap(await uc.getMerchant('m1')).merchant;
      expect(await merchant()).toMatchObject({ backlog: 3, status: 'OPEN', prepEstimateSeconds: 1_200 });
      expect(store.kitchenOrder('i1')).toMatchObject({ state: 'placed', version: 1 });

      // Accepting one moves it from waiting to cooking: the load stays.
      await uc.applyOrderEvent(event('a-i1', 'i1', 'ACCEPTED', 2));
      expect((await merchant()).backlog).toBe(3);
      // The fourth arrival reaches the threshold before the merchant accepted anything more.
      await reserve('i4', 1);
      await uc.applyOrderEvents([event('p-i4', 'i4', 'PLACED', 1)]);
      expect(await merchant()).toMatchObject({ backlog: 4, status: 'AUTO_PAUSED' });
      expect(store.events().map((e) => [e.from, e.to, e.reason])).toContainEqual([
        'OPEN',
        'AUTO_PAUSED',
        'BACKLOG_ABOVE_THRESHOLD',
      ]);
      // Rejections and cancellations take orders out of it again.
      await uc.applyOrderEvent(event('r-i2', 'i2', 'REJECTED', 2, 'MERCHANT_TIMEOUT'));
      await uc.applyOrderEvent(event('c-i3', 'i3', 'CANCELLED', 2));
      expect((await merchant()).backlog).toBe(2);
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

    it('keeps the stock of an order cancelled once its food was ready: the dish was cooked', async () => {
      await reserve('cooked');
      await uc.applyOrderEvent(event('p', 'cooked', 'PLACED', 1));
      await uc.applyOrderEvent(event('a', 'cooked', 'ACCEPTED', 2));
      await uc.applyOrderEvent(event('r', 'cooked', 'READY_FOR_PICKUP', 3));
      await uc.applyOrderEvent(event('c', 'cooked', 'CANCELLED', 4, 'CHANGED_MIND'));
      expect(stock()).toBe(8);
      expect(await reservationState('cooked')).toBe('confirmed');
      expect(store.kitchenOrder('cooked')?.state).toBe('dropped');

      // The event says where the order came from, even if the kitchen never saw it ready (a
      // snapshot lost to a crash of the merchant's own command): still cooked.
      await reserve('fast');
      await uc.applyOrderEvent(event('a2', 'fast', 'ACCEPTED', 2));
      const cancelled = event('c2', 'fast', 'CANCELLED', 5, 'OPS');
      await uc.applyOrderEvent({
        ...cancelled,
        snapshot: { ...cancelled.snapshot, fromState: 'RIDER_ASSIGNED' },
      });
      expect(stock()).toBe(6);

      // Cancelled while cooking (ACCEPTED): the stock comes back, as before.
      await reserve('cooking');
      await uc.applyOrderEvent(event('a3', 'cooking', 'ACCEPTED', 2));
      const early = event('c3', 'cooking', 'CANCELLED', 3);
      await uc.applyOrderEvent({ ...early, snapshot: { ...early.snapshot, fromState: 'ACCEPTED' } });
      expect(stock()).toBe(6);
      expect(await reservationState('cooking')).toBe('released');
    });

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

    describe('a PLACED event whose reservation holds no stock', () => {
      let logged: UseCases;
      let lines: { msg: string; orderId: string; level: string }[];
      beforeEach(() => {
        lines = [];
        logged = createUseCases({
          ...testDeps(store, { orders, clock }).deps,
          logger: createLogger({
            service: 't',
            level: 'warn',
            destination: { write: (l: string) => void lines.push(JSON.parse(l)) },
          }),
        });
      });
      /** The sweeper released `orderId` (the order service did not know it yet); then it committed. */
      const releasedBySweeper = async (orderId: string, quantity = 2) => {
        await reserve(orderId, quantity);
        clock.advance(121_000);
        expect(await logged.sweepReservations(10)).toMatchObject({ released: 1 });
        orders.place(orderId, 'm1');
      };

      it('takes the stock again when it is still there, once however often the event comes', async () => {
        await releasedBySweeper('late');
        expect(stock()).toBe(10);
        const placed = event('e-late', 'late', 'PLACED', 1);
        expect(await logged.applyOrderEvents([placed, event('e-x', 'late', 'PLACED', 1)])).toEqual([
          'applied',
          'applied',
        ]);
        expect(await logged.applyOrderEvent(placed)).toBe('duplicate');
        expect(await reservationState('late')).toBe('confirmed');
        expect(stock()).toBe(8);
        expect(orders.calls).toEqual([]);
        expect(lines.map((l) => [l.level, l.orderId])).toEqual([['warn', 'late']]);
        // A later cancellation gives the re-taken stock back.
        await logged.applyOrderEvent(event('e-c', 'late', 'CANCELLED', 2));
        expect(stock()).toBe(10);
      });

      it('rejects the order as OUT_OF_STOCK when the stock is gone', async () => {
        await releasedBySweeper('late', 3);
        unwrap(await uc.setStock({ merchantId: 'm1', itemId: 'burger', stock: 2 }));
        expect(await logged.applyOrderEvent(event('e-late', 'late', 'PLACED', 1))).toBe('applied');
        expect(orders.calls.map((c) => c.command)).toEqual([
          { kind: 'reject', reason: 'OUT_OF_STOCK', bySystem: true },
        ]);
        expect(orders.orders.get('late')?.state).toBe(OrderState.ORDER_STATE_REJECTED);
        expect(stock()).toBe(2); // nothing taken, nothing given twice
        expect(await reservationState('late')).toBe('released');
        expect(store.kitchenOrder('late')?.state).toBe('dropped');
        expect(await logged.applyOrderEvent(event('e-late', 'late', 'PLACED', 1))).toBe('duplicate');
        expect(orders.calls).toHaveLength(1);
      });

      it('leaves the event unclaimed while the order service cannot be asked, and settles it later', async () => {
        await releasedBySweeper('late');
        unwrap(await uc.setStock({ merchantId: 'm1', itemId: 'burger', stock: 0 }));
        orders.down = true;
        const placed = event('e-late', 'late', 'PLACED', 1);
        await expect(logged.applyOrderEvents([placed])).rejects.toThrow(/GRPC_UNAVAILABLE/);
        orders.down = false;
        expect(await logged.applyOrderEvents([placed])).toEqual(['applied']);
        expect(orders.orders.get('late')?.state).toBe(OrderState.ORDER_STATE_REJECTED);
      });

      it('reports an order that can no longer be rejected (the merchant accepted it meanwhile)', async () => {
        await releasedBySweeper('late');
        unwrap(await orders.transition('late', 'm1', { kind: 'accept', prepSeconds: 600 }, {}));
        unwrap(await uc.setStock({ merchantId: 'm1', itemId: 'burger', stock: 1 }));
        expect(await logged.applyOrderEvent(event('e-late', 'late', 'PLACED', 1))).toBe('applied');
        expect(stock()).toBe(1);
        expect(lines.map((l) => [l.level, l.orderId, /by hand/.test(l.msg)])).toEqual([
          ['error', 'late', true],
        ]);
        expect(await logged.applyOrderEvent(event('e-late', 'late', 'PLACED', 1))).toBe('duplicate');
      });

      it('holds nothing, and reports nothing, when the merchant rejected the order before its PLACED event came', async () => {
        await reserve('quick');
        orders.place('quick', 'm1');
        unwrap(await logged.rejectOrder({ merchantId: 'm1', orderId: 'quick', reason: 'TOO_BUSY' }));
        expect(stock()).toBe(10);
        expect(await logged.applyOrderEvent(event('e-q', 'quick', 'PLACED', 1))).toBe('applied');
        expect(stock()).toBe(10);
        expect(await reservationState('quick')).toBe('released');
        expect(lines).toEqual([]);
        expect(orders.calls).toHaveLength(1); // the merchant's own reject only
      });

      it('reports a PLACED order whose reservation is the tombstone of an early release', async () => {
        unwrap(await uc.releaseStock({ orderId: 'early', reason: 'PLACEMENT_FAILED' }));
        expect(await logged.applyOrderEvent(event('e-early', 'early', 'PLACED', 1))).toBe('applied');
        expect(await reservationState('early')).toBe('released');
        expect(lines.map((l) => [l.level, l.orderId])).toEqual([['error', 'early']]);
        expect(stock()).toBe(10);
      });

      it('reports a PLACED order without any reservation', async () => {
        expect(await logged.applyOrderEvent(event('e-none', 'none', 'PLACED', 1))).toBe('applied');
        expect(lines.map((l) => [l.level, l.orderId])).toEqual([['error', 'none']]);
        expect(await logged.applyOrderEvent(event('e-none', 'none', 'PLACED', 1))).toBe('duplicate');
      });
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
