import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { decideDispatchFact, type DispatchFact } from './dispatch-facts.ts';
import type { Order, OrderState } from './order.ts';

const now = new Date('2026-11-22T12:00:00.000Z');
const order = (state: OrderState, riderId?: string, version = 4, riderAssignedAt?: Date): Order => ({
  id: '0190f3c1-0000-7000-8000-000000000001',
  customerId: 'c-1',
  merchantId: 'm-1',
  state,
  lines: [],
  total: { amountMinor: 2400, currency: 'CNY' },
  pickup: { lat: 31.23, lng: 121.45 },
  merchantName: 'Shanghai Kitchen',
  pickupAddress: '1 Nanjing East Rd',
  dropoff: { lat: 31.22, lng: 121.46 },
  dropoffAddress: '',
  placedAt: new Date('2026-11-22T11:30:00.000Z'),
  updatedAt: new Date('2026-11-22T11:50:00.000Z'),
  acceptBy: new Date('2026-11-22T11:33:00.000Z'),
  expectedReadyAt: new Date('2026-11-22T11:45:00.000Z'),
  promisedAt: new Date('2026-11-22T12:10:00.000Z'),
  riderId,
  riderAssignedAt,
  reason: undefined,
  version,
});
const assign: DispatchFact = { kind: 'ASSIGN_RIDER', riderId: 'r-1', assignedAt: undefined };
const pickUp: DispatchFact = { kind: 'PICK_UP', riderId: 'r-1' };
const deliver: DispatchFact = { kind: 'DELIVER', riderId: 'r-1' };

const apply = (o: Order, fact: DispatchFact) => {
  const result = decideDispatchFact(o, fact, now);
  if (!result.ok) throw new Error(result.error.code);
  return result.value;
};
const path = (d: { changes: readonly { from?: OrderState; to: OrderState; reason?: string }[] }) =>
  d.changes.map((c) => `${c.from}>${c.to}${c.reason ? ` ${c.reason}` : ''}`);

describe('dispatch facts', () => {
  it('applies facts that arrive in order exactly as the state machine does', () => {
    const assigned = apply(order('READY_FOR_PICKUP', undefined, 3), assign);
    expect(path(assigned)).toEqual(['READY_FOR_PICKUP>RIDER_ASSIGNED']);
    const picked = apply(assigned.order, pickUp);
    expect(path(picked)).toEqual(['RIDER_ASSIGNED>PICKED_UP']);
    const delivered = apply(picked.order, deliver);
    expect(path(delivered)).toEqual(['PICKED_UP>DELIVERED']);
    expect(delivered.order).toMatchObject({ state: 'DELIVERED', riderId: 'r-1', version: 6 });
  });

  it('takes a delivery ahead of its pickup as both, one version each, in one decision', () => {
    const d = apply(order('RIDER_ASSIGNED', 'r-1', 4), deliver);
    expect(path(d)).toEqual(['RIDER_ASSIGNED>PICKED_UP IMPLIED_BY_DELIVERY', 'PICKED_UP>DELIVERED']);
    expect(d.changes.map((c) => c.actor)).toEqual([
      { role: 'rider', id: 'r-1' },
      { role: 'rider', id: 'r-1' },
    ]);
    expect(d.order).toMatchObject({ state: 'DELIVERED', riderId: 'r-1', version: 6 });
    expect(d.refund).toBeUndefined();
  });

  it('takes a pickup or delivery ahead of the assignment with the assignment too', () => {
    expect(path(apply(order('READY_FOR_PICKUP', undefined, 3), pickUp))).toEqual([
      'READY_FOR_PICKUP>RIDER_ASSIGNED IMPLIED_BY_PICKUP',
      'RIDER_ASSIGNED>PICKED_UP',
    ]);
    const d = apply(order('READY_FOR_PICKUP', undefined, 3), deliver);
    expect(path(d)).toEqual([
      'READY_FOR_PICKUP>RIDER_ASSIGNED IMPLIED_BY_DELIVERY',
      'RIDER_ASSIGNED>PICKED_UP IMPLIED_BY_DELIVERY',
      'PICKED_UP>DELIVERED',
    ]);
    expect(d.changes[0]?.actor).toEqual({ role: 'system', id: 'dispatch' });
    expect(d.order.version).toBe(6);
  });

  it('marks a handover dispatch judged far or could not judge in the timeline, not a near one', () => {
    const assigned = order('RIDER_ASSIGNED', 'r-1', 4);
    expect(path(apply(assigned, { ...pickUp, handover: 'FAR' }))).toEqual([
      'RIDER_ASSIGNED>PICKED_UP FAR_FROM_PICKUP',
    ]);
    expect(path(apply(assigned, { ...pickUp, handover: 'NEAR' }))).toEqual(['RIDER_ASSIGNED>PICKED_UP']);
    const picked = order('PICKED_UP', 'r-1', 5);
    expect(path(apply(picked, { ...deliver, handover: 'FAR' }))).toEqual([
      'PICKED_UP>DELIVERED FAR_FROM_DROPOFF',
    ]);
    expect(path(apply(picked, { ...deliver, handover: 'UNVERIFIED' }))).toEqual([
      'PICKED_UP>DELIVERED HANDOVER_UNVERIFIED',
    ]);
    // Ahead of its pickup: the implied steps keep their own mark, the delivery carries the verdict.
    expect(path(apply(assigned, { ...deliver, handover: 'FAR' }))).toEqual([
      'RIDER_ASSIGNED>PICKED_UP IMPLIED_BY_DELIVERY',
      'PICKED_UP>DELIVERED FAR_FROM_DROPOFF',
    ]);
    // The order itself carries no reason for it (reasons there are why it was rejected/cancelled).
    expect(apply(picked, { ...deliver, handover: 'FAR' }).order.reason).toBeUndefined();
  });

  it('takes the pickup of a rider reassigned while the reassignment is still on its way', () => {
    const d = apply(order('RIDER_ASSIGNED', 'r-old', 4), pickUp);
    expect(path(d)).toEqual(['RIDER_ASSIGNED>RIDER_ASSIGNED REASSIGNED', 'RIDER_ASSIGNED>PICKED_UP']);
    expect(d.order.riderId).toBe('r-1');
  });

  it('makes the overtaken facts repeats that change nothing', () => {
    const delivered = apply(order('RIDER_ASSIGNED', 'r-1', 4), deliver).order;
    for (const late of [pickUp, assign]) {
      const d = apply(delivered, late);
      expect(d.order).toBe(delivered);
      expect(d.changes).toEqual([]);
    }
  });

  it('still refuses facts nothing can make applicable, with the refusal of the fact itself', () => {
    const refused = (o: Order, fact: DispatchFact) => {
      const r = decideDispatchFact(o, fact, now);
      return r.ok ? 'ok' : r.error.code;
    };
    expect(refused(order('CANCELLED', 'r-1'), deliver)).toBe('ILLEGAL_TRANSITION');
    expect(refused(order('CANCELLED', undefined), pickUp)).toBe('ACTOR_NOT_ALLOWED');
    // Not ready in the order service: dispatch cannot have let anyone pick it up.
    expect(refused(order('ACCEPTED', 'r-1'), pickUp)).toBe('ILLEGAL_TRANSITION');
    // Food already with another rider.
    expect(refused(order('PICKED_UP', 'r-2'), deliver)).toBe('ACTOR_NOT_ALLOWED');
  });

  it('never skips a rule: whatever it applies, each step is a legal transition by its actor', () => {
    const states: OrderState[] = [
      'ACCEPTED',
      'READY_FOR_PICKUP',
      'RIDER_ASSIGNED',
      'PICKED_UP',
      'DELIVERED',
      'CANCELLED',
    ];
    const allowed = new Set([
      'READY_FOR_PICKUP>RIDER_ASSIGNED',
      'RIDER_ASSIGNED>RIDER_ASSIGNED',
      'RIDER_ASSIGNED>PICKED_UP',
      'PICKED_UP>DELIVERED',
    ]);
    fc.assert(
      fc.property(
        fc.constantFrom(...states),
        fc.constantFrom(undefined, 'r-1', 'r-2'),
        fc.constantFrom(assign, pickUp, deliver),
        (state, riderId, fact) => {
          const before = order(state, riderId);
          const r = decideDispatchFact(before, fact, now);
          if (!r.ok) return;
          const chain = r.value.changes;
          expect(chain.every((c) => allowed.has(`${c.from}>${c.to}`))).toBe(true);
          chain.forEach((c, i) => expect(c.from).toBe(i === 0 ? state : chain[i - 1]?.to));
          // One version per published snapshot (a rider recorded while cooking changes no state).
          if (chain.length > 0) expect(r.value.order.version).toBe(before.version + chain.length);
        },
      ),
    );
  });
});

describe('assignments after dispatch took the order back (ADR 0013)', () => {
  const t = (minute: number) => new Date(Date.UTC(2026, 10, 22, 11, minute));
  const assignAt = (riderId: string, minute: number | undefined): DispatchFact => ({
    kind: 'ASSIGN_RIDER',
    riderId,
    assignedAt: minute === undefined ? undefined : t(minute),
  });
  const outcome = (o: Order, fact: DispatchFact) => {
    const r = decideDispatchFact(o, fact, now);
    return r.ok ? r.value : r.error.code;
  };
  const ready = order('READY_FOR_PICKUP', undefined, 3);

  it('ignores an earlier assignment of another rider that arrives after the later one', () => {
    const toB = apply(apply(ready, assignAt('r-a', 50)).order, assignAt('r-b', 52)).order;
    expect(toB).toMatchObject({ riderId: 'r-b', riderAssignedAt: t(52), version: 5 });
    expect(outcome(toB, assignAt('r-a', 50))).toBe('STALE_RIDER_ASSIGNMENT');
    // Not after is not later: the same instant for another rider cannot say which came last.
    expect(outcome(toB, assignAt('r-a', 52))).toBe('STALE_RIDER_ASSIGNMENT');
  });

  it('applies a later assignment of another rider as a reassignment, with its time', () => {
    const d = apply(order('RIDER_ASSIGNED', 'r-a', 4, t(50)), assignAt('r-b', 52));
    expect(path(d)).toEqual(['RIDER_ASSIGNED>RIDER_ASSIGNED REASSIGNED']);
    expect(d.order).toMatchObject({ riderId: 'r-b', riderAssignedAt: t(52), version: 5 });
  });

  it('ignores an earlier assignment while the kitchen is still cooking too', () => {
    const cooking = order('ACCEPTED', 'r-b', 3, t(52));
    expect(outcome(cooking, assignAt('r-a', 50))).toBe('STALE_RIDER_ASSIGNMENT');
    expect(apply(cooking, assignAt('r-c', 54)).order).toMatchObject({
      riderId: 'r-c',
      riderAssignedAt: t(54),
    });
  });

  it('applies an assignment without a time as before, and then knows no time', () => {
    // A dispatch replica older than assigned_at, during a rolling upgrade.
    const d = apply(order('RIDER_ASSIGNED', 'r-a', 4, t(50)), assignAt('r-b', undefined));
    expect(path(d)).toEqual(['RIDER_ASSIGNED>RIDER_ASSIGNED REASSIGNED']);
    expect(d.order).toMatchObject({ riderId: 'r-b', riderAssignedAt: undefined });
    // The old rider's time is not the new one's: nothing to compare, so applied as before.
    expect(path(apply(d.order, assignAt('r-a', 50)))).toEqual(['RIDER_ASSIGNED>RIDER_ASSIGNED REASSIGNED']);
    // An order assigned before the field existed takes a timed assignment the same way.
    expect(apply(order('RIDER_ASSIGNED', 'r-a', 4), assignAt('r-b', 50)).order.riderId).toBe('r-b');
  });

  it('takes the same rider again as a repeat, keeping the latest time without a new version', () => {
    const atA = order('RIDER_ASSIGNED', 'r-a', 4, t(50));
    const again = apply(atA, assignAt('r-a', 50));
    expect(again.order).toBe(atA);
    expect(again.changes).toEqual([]);
    expect(apply(atA, assignAt('r-a', undefined)).order).toBe(atA);
    expect(apply(atA, assignAt('r-a', 40)).order).toBe(atA);
    // A, then B, then A again (B was released): B's assignment arriving last must not win.
    const later = apply(atA, assignAt('r-a', 54));
    expect(later.changes).toEqual([]);
    expect(later.order).toMatchObject({ riderId: 'r-a', riderAssignedAt: t(54), version: 4 });
    expect(outcome(later.order, assignAt('r-b', 52))).toBe('STALE_RIDER_ASSIGNMENT');
  });

  it('names the rider who accepted last, whatever order the assignments arrive in', () => {
    // One accept a minute, as dispatch publishes them; each arrives at least once, in any order.
    const scenario = fc
      .array(fc.constantFrom('r-a', 'r-b', 'r-c'), { minLength: 1, maxLength: 6 })
      .chain((riders) => {
        const facts = riders.map((riderId, minute) => assignAt(riderId, minute));
        return fc.tuple(
          fc.constant(riders),
          fc
            .array(fc.constantFrom(...facts), { maxLength: 6 }) // redeliveries and replays
            .chain((repeats) =>
              fc.shuffledSubarray([...facts, ...repeats], { minLength: facts.length + repeats.length }),
            ),
        );
      });
    fc.assert(
      fc.property(scenario, ([riders, arrivals]) => {
        let current = ready;
        for (const fact of arrivals) {
          const r = decideDispatchFact(current, fact, now);
          if (r.ok) current = r.value.order;
          else expect(r.error.code).toBe('STALE_RIDER_ASSIGNMENT');
        }
        expect(current.riderId).toBe(riders.at(-1));
        expect(current.riderAssignedAt).toEqual(t(riders.length - 1));
      }),
    );
  });
});
