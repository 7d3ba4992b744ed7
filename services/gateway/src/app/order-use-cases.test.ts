import { describe, expect, it } from 'vitest';
import { codedError, err } from '@mealpeak/core';
import { ActorRole } from '@mealpeak/contracts/common.v1';
import { OrderCommand, OrderState, type TransitionOrderRequest } from '@mealpeak/contracts/order.v1';
import { FakeDispatch } from '../../test/support/fake-dispatch.ts';
import { FakeBackend } from '../../test/support/fake-ports.ts';
import { canSee, createOrderUseCases, ORDER_NOT_FOUND, TRACKING_NOT_AVAILABLE } from './order-use-cases.ts';
import type { Principal } from './principal.ts';

const ctx = { deadline: new Date(Date.now() + 10_000) };

function setup() {
  const backend = new FakeBackend();
  backend.addMerchant('m-1');
  backend.addOrder({ id: 'o-1', customerId: 'c-1', merchantId: 'm-1', riderId: 'r-1' });
  const dispatch = new FakeDispatch();
  const uc = createOrderUseCases({
    orders: backend.orderPort,
    merchants: backend.merchantPort,
    dispatch: dispatch.port,
  });
  return { backend, dispatch, uc };
}

describe('who sees an order', () => {
  const order = setup().backend.orders.get('o-1')!;
  it.each<[Principal, boolean]>([
    [{ role: 'customer', id: 'c-1' }, true],
    [{ role: 'customer', id: 'c-2' }, false],
    [{ role: 'merchant', id: 'm-1' }, true],
    [{ role: 'merchant', id: 'm-2' }, false],
    [{ role: 'rider', id: 'r-1' }, true],
    [{ role: 'rider', id: 'r-2' }, false],
    [{ role: 'ops', id: 'anyone' }, true],
  ])('%j -> %s', (viewer, expected) => {
    expect(canSee(viewer, order)).toBe(expected);
  });

  it('a rider never sees an order without a rider', () => {
    expect(canSee({ role: 'rider', id: '' }, { ...order, riderId: '' })).toBe(false);
  });
});

describe('order use cases', () => {
  it('answers an unknown order and another customer order with the same error', async () => {
    const { uc } = setup();
    expect(await uc.get({ role: 'customer', id: 'c-2' }, 'o-1', ctx)).toEqual(err(ORDER_NOT_FOUND));
    expect(await uc.get({ role: 'customer', id: 'c-2' }, 'o-404', ctx)).toEqual(err(ORDER_NOT_FOUND));
  });

  it('never cancels another customer order, and says so with ORDER_NOT_FOUND', async () => {
    const { uc, backend } = setup();
    expect(await uc.cancel({ role: 'customer', id: 'c-2' }, 'o-1', '', ctx)).toEqual(err(ORDER_NOT_FOUND));
    expect(backend.orders.get('o-1')?.state).toBe(1); // still PLACED
  });

  it('never cancels another store’s order either; ops may cancel any', async () => {
    const { uc, backend } = setup();
    expect(await uc.cancel({ role: 'merchant', id: 'm-2' }, 'o-1', 'OTHER', ctx)).toEqual(
      err(ORDER_NOT_FOUND),
    );
    expect(backend.orders.get('o-1')?.state).toBe(1); // still PLACED
    const byOps = await uc.cancel({ role: 'ops', id: 'ops-1' }, 'o-1', 'FRAUD_SUSPECTED', ctx);
    expect(byOps.ok && byOps.value.state).toBe(8); // CANCELLED
  });

  it.each([
    ['customer', 'c-1', ActorRole.ACTOR_ROLE_CUSTOMER],
    ['merchant', 'm-1', ActorRole.ACTOR_ROLE_MERCHANT],
    ['ops', 'ops-1', ActorRole.ACTOR_ROLE_OPS],
  ] as const)('cancels as the %s itself, with its reason', async (role, id, actorRole) => {
    const { uc, backend } = setup();
    const sent: TransitionOrderRequest[] = [];
    backend.orderPort.transitionOrder = (request) => {
      sent.push(request);
      return Promise.resolve(err(codedError('conflict', 'ILLEGAL_TRANSITION', 'not now')));
    };
    await uc.cancel({ role, id }, 'o-1', 'OTHER', ctx);
    expect(sent).toEqual([
      expect.objectContaining({
        orderId: 'o-1',
        command: OrderCommand.ORDER_COMMAND_CANCEL,
        actor: { role: actorRole, id },
        reason: 'OTHER',
      }),
    ]);
  });

  it('answers another store’s order with the same ORDER_NOT_FOUND as a missing one', async () => {
    const { uc } = setup();
    expect(await uc.accept('m-2', 'o-1', ctx)).toEqual(err(ORDER_NOT_FOUND));
    expect(await uc.accept('m-1', 'o-404', ctx)).toEqual(err(ORDER_NOT_FOUND));
  });

  it('passes a refusal about the state of the customer’s own order through (not a 404)', async () => {
    const { uc, backend } = setup();
    const refused = codedError('forbidden', 'ACTOR_NOT_ALLOWED', 'a customer may not cancel this order');
    backend.orderPort.transitionOrder = () => Promise.resolve(err(refused));
    expect(await uc.cancel({ role: 'customer', id: 'c-1' }, 'o-1', '', ctx)).toEqual(err(refused));
  });

  describe('a customer cancellation asks dispatch first (ADR 0016)', () => {
    const cancelled = (backend: FakeBackend) =>
      backend.orders.get('o-1')?.state === OrderState.ORDER_STATE_CANCELLED;
    const asCustomer = { role: 'customer', id: 'c-1' } as const;

    it('holds the order at dispatch, then cancels, whatever state the order was read in', async () => {
      for (const state of [
        OrderState.ORDER_STATE_PLACED,
        OrderState.ORDER_STATE_ACCEPTED,
        OrderState.ORDER_STATE_READY_FOR_PICKUP,
        OrderState.ORDER_STATE_RIDER_ASSIGNED,
      ]) {
        const { uc, backend, dispatch } = setup();
        backend.orders.get('o-1')!.state = state;
        dispatch.addDelivery({ orderId: 'o-1', riderId: 'r-1', state: 'assigned' });
        expect((await uc.cancel(asCustomer, 'o-1', '', ctx)).ok).toBe(true);
        expect(dispatch.calls).toEqual(['holdForCancellation:o-1']);
        expect(cancelled(backend)).toBe(true);
      }
    });

    it('leaves the first cancel’s hold alone on a second cancel (double tap, second device)', async () => {
      // Read as CANCELLED already: no hold asked, none released.
      const { uc, dispatch } = setup();
      dispatch.addDelivery({ orderId: 'o-1', riderId: 'r-1', state: 'assigned' });
      expect((await uc.cancel(asCustomer, 'o-1', '', ctx)).ok).toBe(true);
      expect((await uc.cancel(asCustomer, 'o-1', '', ctx)).ok).toBe(false);
      expect(dispatch.calls).toEqual(['holdForCancellation:o-1']);

      // Read before the first cancel committed, refused after: the refusal is the first cancel's
      // doing, so its hold stands until its CANCELLED event reaches dispatch.
      const second = setup();
      second.dispatch.addDelivery({ orderId: 'o-1', riderId: 'r-1', state: 'assigned' });
      second.backend.orderPort.transitionOrder = () => {
        second.backend.orders.get('o-1')!.state = OrderState.ORDER_STATE_CANCELLED; // the other tap
        return Promise.resolve(
          err(codedError('conflict', 'ILLEGAL_TRANSITION', 'cannot cancel an order that is CANCELLED')),
        );
      };
      expect((await second.uc.cancel(asCustomer, 'o-1', '', ctx)).ok).toBe(false);
      expect(second.dispatch.calls).toEqual(['holdForCancellation:o-1']);
    });

    it('refuses once dispatch has the food with a rider, before the order service hears of it', async () => {
      const { uc, backend, dispatch } = setup();
      backend.orders.get('o-1')!.state = OrderState.ORDER_STATE_RIDER_ASSIGNED;
      dispatch.addDelivery({ orderId: 'o-1', riderId: 'r-1', state: 'picked_up' });
      expect(await uc.cancel(asCustomer, 'o-1', '', ctx)).toMatchObject({
        ok: false,
        error: { kind: 'conflict', code: 'ORDER_PICKED_UP' },
      });
      expect(cancelled(backend)).toBe(false);
    });

    it('releases the hold when the order service refuses, keeps it when the outcome is unknown', async () => {
      const { uc, backend, dispatch } = setup();
      dispatch.addDelivery({ orderId: 'o-1', riderId: 'r-1', state: 'assigned' });
      const refused = codedError(
        'conflict',
        'ILLEGAL_TRANSITION',
        'cannot cancel an order that is PICKED_UP',
      );
      backend.orderPort.transitionOrder = () => Promise.resolve(err(refused));
      expect(await uc.cancel(asCustomer, 'o-1', '', ctx)).toEqual(err(refused));
      expect(dispatch.calls).toEqual(['holdForCancellation:o-1', 'holdForCancellation:o-1 release']);

      dispatch.calls.length = 0;
      const lost = codedError('timeout', 'GRPC_DEADLINE_EXCEEDED', 'deadline exceeded');
      backend.orderPort.transitionOrder = () => Promise.resolve(err(lost));
      expect(await uc.cancel(asCustomer, 'o-1', '', ctx)).toEqual(err(lost));
      expect(dispatch.calls).toEqual(['holdForCancellation:o-1']);
    });

    it('cancels an order dispatch has not seen, or with a dispatch too old to hold; a ready one not while it is away', async () => {
      const { uc, backend, dispatch } = setup();
      backend.orders.get('o-1')!.state = OrderState.ORDER_STATE_READY_FOR_PICKUP;
      const down = codedError('unavailable', 'GRPC_UNAVAILABLE', 'connect ECONNREFUSED');
      dispatch.failures.set('holdForCancellation', down);
      expect(await uc.cancel(asCustomer, 'o-1', '', ctx)).toEqual(err(down));
      expect(cancelled(backend)).toBe(false);
      // One not ready yet is cancelled unheld, as before the hold existed.
      const early = setup();
      early.dispatch.failures.set('holdForCancellation', down);
      expect((await early.uc.cancel(asCustomer, 'o-1', '', ctx)).ok).toBe(true);
      dispatch.failures.set(
        'holdForCancellation',
        codedError('unavailable', 'GRPC_UNIMPLEMENTED', 'unknown method'),
      );
      expect((await uc.cancel(asCustomer, 'o-1', '', ctx)).ok).toBe(true);
      const other = setup(); // not known to dispatch at all
      expect((await other.uc.cancel(asCustomer, 'o-1', '', ctx)).ok).toBe(true);
    });

    it('does not ask for ops (who may cancel after pickup on purpose)', async () => {
      const { uc, dispatch, backend } = setup();
      backend.orders.get('o-1')!.state = OrderState.ORDER_STATE_RIDER_ASSIGNED;
      expect((await uc.cancel({ role: 'ops', id: 'ops-1' }, 'o-1', 'OTHER', ctx)).ok).toBe(true);
      expect(dispatch.calls).toEqual([]);
    });
  });

  it('passes other errors through untouched', async () => {
    const { uc, backend } = setup();
    const down = codedError('unavailable', 'GRPC_UNAVAILABLE', 'connect ECONNREFUSED');
    backend.failures.set('getOrder', down);
    expect(await uc.get({ role: 'ops', id: 'o' }, 'o-1', ctx)).toEqual(err(down));
  });

  it('scopes lists by role: customers and merchants see their own, riders none', async () => {
    const { uc, backend } = setup();
    backend.addOrder({ id: 'o-2', customerId: 'c-2', merchantId: 'm-2' });
    const ids = async (p: Principal) => {
      const res = await uc.list(p, { states: [], pageSize: 10, pageToken: '', oldestFirst: false }, ctx);
      return res.ok ? res.value.items.map((o) => o.id) : res.error.code;
    };
    expect(await ids({ role: 'customer', id: 'c-1' })).toEqual(['o-1']);
    expect(await ids({ role: 'merchant', id: 'm-2' })).toEqual(['o-2']);
    expect(await ids({ role: 'ops', id: 'x' })).toEqual(['o-1', 'o-2']);
    expect(await ids({ role: 'rider', id: 'r-1' })).toBe('FORBIDDEN');
  });
});

describe('delivery tracking', () => {
  it('asks dispatch only once the order is known to be the customer’s own', async () => {
    const { uc, dispatch } = setup();
    dispatch.addDelivery({ orderId: 'o-1', riderId: 'r-1' });
    expect(await uc.track('c-2', 'o-1', ctx)).toEqual(err(ORDER_NOT_FOUND));
    expect(await uc.track('c-2', 'o-404', ctx)).toEqual(err(ORDER_NOT_FOUND));
    expect(dispatch.calls).toEqual([]);
    const own = await uc.track('c-1', 'o-1', ctx);
    expect(own.ok && own.value.riderId).toBe('r-1');
  });

  it('turns "dispatch does not know the order" into TRACKING_NOT_AVAILABLE: the order itself exists', async () => {
    const { uc } = setup();
    expect(await uc.track('c-1', 'o-1', ctx)).toEqual(err(TRACKING_NOT_AVAILABLE));
  });

  it.each([
    [OrderState.ORDER_STATE_CANCELLED, 'ORDER_CANCELLED', /cancelled/],
    [OrderState.ORDER_STATE_REJECTED, 'TRACKING_NOT_AVAILABLE', /rejected/],
  ])(
    'answers an order that ended before dispatch knew it (%s) without asking dispatch',
    async (state, code, message) => {
      const { uc, backend, dispatch } = setup();
      backend.addOrder({ id: 'o-2', customerId: 'c-1', merchantId: 'm-1', state });
      const res = await uc.track('c-1', 'o-2', ctx);
      expect(!res.ok && res.error).toMatchObject({
        kind: 'conflict',
        code,
        message: expect.stringMatching(message),
      });
      expect(dispatch.calls).toEqual([]);
    },
  );

  it('passes other dispatch refusals through (a cancelled order)', async () => {
    const { uc, dispatch } = setup();
    dispatch.addDelivery({ orderId: 'o-1', riderId: 'r-1', state: 'cancelled' });
    const res = await uc.track('c-1', 'o-1', ctx);
    expect(!res.ok && res.error.code).toBe('ORDER_CANCELLED');
  });
});
