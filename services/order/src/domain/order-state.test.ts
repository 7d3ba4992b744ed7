import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { OrderCommand } from './commands.ts';
import { decide, type Decision } from './order-state.ts';
import { TERMINAL_STATES, type Actor, type Order, type OrderState } from './order.ts';

const t0 = new Date('2026-11-22T11:30:00.000Z');
const at = (minutes: number) => new Date(t0.getTime() + minutes * 60_000);

const customer: Actor = { role: 'customer', id: 'c-1' };
const otherCustomer: Actor = { role: 'customer', id: 'c-2' };
const merchant: Actor = { role: 'merchant', id: 'm-1' };
const otherMerchant: Actor = { role: 'merchant', id: 'm-2' };
const rider: Actor = { role: 'rider', id: 'r-1' };
const system: Actor = { role: 'system', id: 'dispatch' };
const ops: Actor = { role: 'ops', id: 'ops-1' };

const placed: Order = {
  id: '0190f3c1-0000-7000-8000-000000000001',
  customerId: 'c-1',
  merchantId: 'm-1',
  state: 'PLACED',
  lines: [
    {
      itemId: 'i-1',
      name: 'Dumplings',
      quantity: 2,
      unitPrice: { amountMinor: 1200, currency: 'CNY' },
      lineTotal: { amountMinor: 2400, currency: 'CNY' },
    },
  ],
  total: { amountMinor: 2400, currency: 'CNY' },
  pickup: { lat: 31.23, lng: 121.45 },
  merchantName: 'Shanghai Kitchen',
  pickupAddress: '1 Nanjing East Rd',
  dropoff: { lat: 31.22, lng: 121.46 },
  dropoffAddress: 'Nanjing West Rd 1',
  placedAt: t0,
  updatedAt: t0,
  acceptBy: at(3),
  expectedReadyAt: undefined,
  promisedAt: at(40),
  riderId: undefined,
  riderAssignedAt: undefined,
  reason: undefined,
  version: 1,
};

function run(order: Order, command: OrderCommand, actor: Actor, minute = 1): Decision {
  const result = decide(order, { command, actor, now: at(minute) });
  if (!result.ok) throw new Error(`${result.error.code}: ${result.error.message}`);
  return result.value;
}
const code = (order: Order, command: OrderCommand, actor: Actor, minute = 1) => {
  const result = decide(order, { command, actor, now: at(minute) });
  return result.ok ? 'ok' : result.error.code;
};

describe('order lifecycle', () => {
  it('walks the happy path with the right actor at each step', () => {
    const accepted = run(placed, { kind: 'ACCEPT', prepSeconds: 600 }, merchant, 1);
    expect(accepted.order).toMatchObject({ state: 'ACCEPTED', expectedReadyAt: at(11), version: 2 });
    const ready = run(accepted.order, { kind: 'MARK_READY' }, merchant, 11);
    const assigned = run(ready.order, { kind: 'ASSIGN_RIDER', riderId: 'r-1' }, system, 12);
    const picked = run(assigned.order, { kind: 'PICK_UP' }, rider, 15);
    const delivered = run(picked.order, { kind: 'DELIVER' }, rider, 30);
    expect(
      [accepted, ready, assigned, picked, delivered].map((d) => d.changes.map((c) => `${c.from}->${c.to}`)),
    ).toEqual([
      ['PLACED->ACCEPTED'],
      ['ACCEPTED->READY_FOR_PICKUP'],
      ['READY_FOR_PICKUP->RIDER_ASSIGNED'],
      ['RIDER_ASSIGNED->PICKED_UP'],
      ['PICKED_UP->DELIVERED'],
    ]);
    expect(delivered.order).toMatchObject({
      state: 'DELIVERED',
      riderId: 'r-1',
      version: 6,
      updatedAt: at(30),
    });
    expect(delivered.changes[0]).toEqual({
      from: 'PICKED_UP',
      to: 'DELIVERED',
      actor: rider,
      reason: undefined,
      at: at(30),
    });
  });

  it('records a rider assigned while cooking and moves to RIDER_ASSIGNED when the food is ready', () => {
    const accepted = run(placed, { kind: 'ACCEPT', prepSeconds: 900 }, merchant);
    const early = run(accepted.order, { kind: 'ASSIGN_RIDER', riderId: 'r-1' }, system, 5);
    expect(early.changes).toEqual([]);
    expect(early.order).toMatchObject({ state: 'ACCEPTED', riderId: 'r-1', version: 3 });
    const ready = run(early.order, { kind: 'MARK_READY' }, merchant, 16);
    expect(ready.changes.map((c) => [c.from, c.to, c.actor.role, c.reason])).toEqual([
      ['ACCEPTED', 'READY_FOR_PICKUP', 'merchant', undefined],
      ['READY_FOR_PICKUP', 'RIDER_ASSIGNED', 'system', 'RIDER_PREASSIGNED'],
    ]);
    expect(ready.order.state).toBe('RIDER_ASSIGNED');
  });

  it('rejects automatically only once the acceptance deadline has passed, with a refund', () => {
    expect(code(placed, { kind: 'EXPIRE' }, { role: 'system', id: 'sweeper' }, 2)).toBe('ILLEGAL_TRANSITION');
    const expired = run(placed, { kind: 'EXPIRE' }, { role: 'system', id: 'sweeper' }, 3);
    expect(expired.order).toMatchObject({ state: 'REJECTED', reason: 'MERCHANT_TIMEOUT' });
    expect(expired.refund).toEqual({
      orderId: placed.id,
      customerId: 'c-1',
      amount: placed.total,
      reason: 'MERCHANT_TIMEOUT',
    });
    expect(code(expired.order, { kind: 'ACCEPT', prepSeconds: 60 }, merchant, 4)).toBe('ILLEGAL_TRANSITION');
  });

  it('refunds on every rejection and cancellation, and only then', () => {
    expect(run(placed, { kind: 'REJECT', reason: 'OUT_OF_STOCK' }, merchant).refund?.reason).toBe(
      'OUT_OF_STOCK',
    );
    expect(run(placed, { kind: 'CANCEL', reason: 'CHANGED_MIND' }, customer).refund?.amount).toEqual(
      placed.total,
    );
    expect(run(placed, { kind: 'ACCEPT', prepSeconds: 60 }, merchant).refund).toBeUndefined();
  });

  it('lets each party act only on its own orders', () => {
    expect(code(placed, { kind: 'CANCEL', reason: 'x' }, otherCustomer)).toBe('ACTOR_NOT_ALLOWED');
    expect(code(placed, { kind: 'ACCEPT', prepSeconds: 60 }, otherMerchant)).toBe('ACTOR_NOT_ALLOWED');
    expect(code(placed, { kind: 'ACCEPT', prepSeconds: 60 }, customer)).toBe('ACTOR_NOT_ALLOWED');
    expect(code(placed, { kind: 'ASSIGN_RIDER', riderId: 'r-1' }, rider)).toBe('ACTOR_NOT_ALLOWED');
    const assigned = run(
      run(run(placed, { kind: 'ACCEPT', prepSeconds: 60 }, merchant).order, { kind: 'MARK_READY' }, merchant)
        .order,
      { kind: 'ASSIGN_RIDER', riderId: 'r-1' },
      system,
    );
    expect(code(assigned.order, { kind: 'PICK_UP' }, { role: 'rider', id: 'r-2' })).toBe('ACTOR_NOT_ALLOWED');
  });

  it('applies the cancellation windows: customer until pickup, merchant before ready, ops any time before the end', () => {
    const accepted = run(placed, { kind: 'ACCEPT', prepSeconds: 60 }, merchant).order;
    const ready = run(accepted, { kind: 'MARK_READY' }, merchant).order;
    const assigned = run(ready, { kind: 'ASSIGN_RIDER', riderId: 'r-1' }, system).order;
    const picked = run(assigned, { kind: 'PICK_UP' }, rider).order;
    const cancel = { kind: 'CANCEL', reason: 'x' } as const;
    expect([placed, accepted, ready, assigned, picked].map((o) => code(o, cancel, customer))).toEqual([
      'ok',
      'ok',
      'ok',
      'ok',
      'ILLEGAL_TRANSITION',
    ]);
    expect([placed, accepted, ready, assigned, picked].map((o) => code(o, cancel, merchant))).toEqual([
      'ILLEGAL_TRANSITION',
      'ok',
      'ILLEGAL_TRANSITION',
      'ILLEGAL_TRANSITION',
      'ILLEGAL_TRANSITION',
    ]);
    expect([placed, accepted, ready, assigned, picked].map((o) => code(o, cancel, ops))).toEqual([
      'ok',
      'ok',
      'ok',
      'ok',
      'ok',
    ]);
  });

  it('validates the preparation estimate', () => {
    expect(code(placed, { kind: 'ACCEPT', prepSeconds: 0 }, merchant)).toBe('INVALID_ARGUMENT');
    expect(code(placed, { kind: 'ACCEPT', prepSeconds: 1.5 }, merchant)).toBe('INVALID_ARGUMENT');
    expect(code(placed, { kind: 'ACCEPT', prepSeconds: 5 * 3600 }, merchant)).toBe('INVALID_ARGUMENT');
  });

  it('lets the system reject a placed order (stock gone), recorded as the system’s, with a refund', () => {
    const stockGone = { role: 'system', id: 'merchant-service' } as const;
    const rejected = run(placed, { kind: 'REJECT', reason: 'OUT_OF_STOCK' }, stockGone);
    expect(rejected.changes).toMatchObject([{ to: 'REJECTED', actor: stockGone, reason: 'OUT_OF_STOCK' }]);
    expect(rejected.refund?.reason).toBe('OUT_OF_STOCK');
    const accepted = run(placed, { kind: 'ACCEPT', prepSeconds: 60 }, merchant).order;
    expect(code(accepted, { kind: 'REJECT', reason: 'OUT_OF_STOCK' }, stockGone)).toBe('ILLEGAL_TRANSITION');
  });

  it('takes a merchant’s repeated accept or ready as done, without a change; not a repeated reject', () => {
    const accepted = run(placed, { kind: 'ACCEPT', prepSeconds: 60 }, merchant).order;
    expect(run(accepted, { kind: 'ACCEPT', prepSeconds: 90 }, merchant)).toEqual({
      order: accepted,
      changes: [],
      refund: undefined,
    });
    const ready = run(accepted, { kind: 'MARK_READY' }, merchant).order;
    const assigned = run(ready, { kind: 'ASSIGN_RIDER', riderId: 'r-1' }, system).order;
    for (const later of [ready, assigned]) {
      expect(run(later, { kind: 'ACCEPT', prepSeconds: 60 }, merchant).changes).toEqual([]);
      expect(run(later, { kind: 'MARK_READY' }, merchant).changes).toEqual([]);
    }
    // Not for anyone else, and not where the merchant's step did not happen.
    expect(code(accepted, { kind: 'ACCEPT', prepSeconds: 60 }, otherMerchant)).toBe('ACTOR_NOT_ALLOWED');
    expect(code(placed, { kind: 'MARK_READY' }, merchant)).toBe('ILLEGAL_TRANSITION');
    const rejected = run(placed, { kind: 'REJECT', reason: 'BUSY' }, merchant).order;
    expect(code(rejected, { kind: 'ACCEPT', prepSeconds: 60 }, merchant)).toBe('ILLEGAL_TRANSITION');
    expect(code(rejected, { kind: 'REJECT', reason: 'BUSY' }, merchant)).toBe('ILLEGAL_TRANSITION');
    const cancelled = run(accepted, { kind: 'CANCEL', reason: 'X' }, customer).order;
    expect(code(cancelled, { kind: 'MARK_READY' }, merchant)).toBe('ILLEGAL_TRANSITION');
  });

  it('absorbs repeated rider events without a change, and reassigns on a different rider', () => {
    const ready = run(
      run(placed, { kind: 'ACCEPT', prepSeconds: 60 }, merchant).order,
      { kind: 'MARK_READY' },
      merchant,
    ).order;
    const assigned = run(ready, { kind: 'ASSIGN_RIDER', riderId: 'r-1' }, system).order;
    expect(run(assigned, { kind: 'ASSIGN_RIDER', riderId: 'r-1' }, system)).toMatchObject({
      changes: [],
      order: assigned,
    });
    const reassigned = run(assigned, { kind: 'ASSIGN_RIDER', riderId: 'r-2' }, system);
    expect(reassigned.changes[0]).toMatchObject({
      from: 'RIDER_ASSIGNED',
      to: 'RIDER_ASSIGNED',
      reason: 'REASSIGNED',
    });
    const delivered = run(run(assigned, { kind: 'PICK_UP' }, rider).order, { kind: 'DELIVER' }, rider).order;
    expect(run(delivered, { kind: 'DELIVER' }, rider).changes).toEqual([]);
  });
});

describe('order lifecycle invariants (property)', () => {
  const allowedEdges = new Set([
    'PLACED>ACCEPTED',
    'PLACED>REJECTED',
    'PLACED>CANCELLED',
    'ACCEPTED>READY_FOR_PICKUP',
    'ACCEPTED>CANCELLED',
    'READY_FOR_PICKUP>RIDER_ASSIGNED',
    'READY_FOR_PICKUP>CANCELLED',
    'RIDER_ASSIGNED>RIDER_ASSIGNED',
    'RIDER_ASSIGNED>PICKED_UP',
    'RIDER_ASSIGNED>CANCELLED',
    'PICKED_UP>DELIVERED',
    'PICKED_UP>CANCELLED',
  ]);
  const actorArb = fc.constantFrom(
    customer,
    otherCustomer,
    merchant,
    otherMerchant,
    rider,
    { role: 'rider', id: 'r-2' } as Actor,
    system,
    ops,
  );
  const commandArb: fc.Arbitrary<OrderCommand> = fc.oneof(
    fc.record({ kind: fc.constant('ACCEPT' as const), prepSeconds: fc.integer({ min: -10, max: 20_000 }) }),
    fc.record({ kind: fc.constant('REJECT' as const), reason: fc.constant('BUSY') }),
    fc.constant({ kind: 'EXPIRE' as const }),
    fc.constant({ kind: 'MARK_READY' as const }),
    fc.record({
      kind: fc.constant('ASSIGN_RIDER' as const),
      riderId: fc.constantFrom('r-1', 'r-2'),
      assignedAt: fc.option(fc.integer({ min: 0, max: 60 }).map(at), { nil: undefined }),
    }),
    fc.constant({ kind: 'PICK_UP' as const }),
    fc.constant({ kind: 'DELIVER' as const }),
    fc.record({ kind: fc.constant('CANCEL' as const), reason: fc.constant('X') }),
  );

  it('only ever moves along documented edges, never leaves a terminal state, and counts versions', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(commandArb, actorArb, fc.integer({ min: 0, max: 60 })), { maxLength: 30 }),
        (steps) => {
          let order = placed;
          for (const [command, actor, minute] of steps) {
            const before: OrderState = order.state;
            const result = decide(order, { command, actor, now: at(minute) });
            if (!result.ok) continue;
            const { order: after, changes, refund } = result.value;
            if (TERMINAL_STATES.has(before)) expect(after.state).toBe(before);
            let state = before;
            for (const c of changes) {
              expect(c.from).toBe(state);
              expect(
                allowedEdges.has(`${c.from}>${c.to}`) ||
                  (c.from === 'READY_FOR_PICKUP' && c.to === 'RIDER_ASSIGNED'),
              ).toBe(true);
              state = c.to;
            }
            expect(after.state).toBe(state);
            // A new version for every snapshot that differs; a later time for the same rider is
            // not in any snapshot.
            const sameSnapshot = changes.length === 0 && after.riderId === order.riderId;
            expect(after.version).toBe(
              sameSnapshot ? order.version : order.version + Math.max(1, changes.length),
            );
            // The time stated is kept for the rider it was stated for, and only moves forward.
            if (after.riderId === order.riderId && order.riderAssignedAt && after.riderAssignedAt)
              expect(after.riderAssignedAt >= order.riderAssignedAt).toBe(true);
            expect(refund !== undefined).toBe(
              changes.some((c) => c.to === 'REJECTED' || c.to === 'CANCELLED'),
            );
            order = after;
          }
        },
      ),
      { numRuns: 2_000 },
    );
  });
});
