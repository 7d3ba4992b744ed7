import { ok, type CodedError, type Result } from '@mealpeak/core';
import type { CommandRequest } from './commands.ts';
import type { Order, StateChange } from './order.ts';
import { decide, type Decision } from './order-state.ts';

/**
 * A fact rider-dispatch published (dispatch.events.v1): a rider was assigned, picked the order
 * up, delivered it. These are things that happened, in this order, to one rider's run.
 */
export type DispatchFact =
  | {
      readonly kind: 'ASSIGN_RIDER';
      readonly riderId: string;
      /** When the rider accepted; absent from dispatch releases older than the field. */
      readonly assignedAt: Date | undefined;
    }
  | {
      readonly kind: 'PICK_UP' | 'DELIVER';
      readonly riderId: string;
      /**
       * Where dispatch judged the rider to be when reporting it (ADR 0015); absent when dispatch
       * made no check. A far or unverified handover is marked in the timeline.
       */
      readonly handover?: HandoverVerdict | undefined;
    };

export type HandoverVerdict = 'NEAR' | 'FAR' | 'UNVERIFIED';

/** The timeline's mark for a handover dispatch judged far or could not judge. */
export function handoverReason(fact: DispatchFact): string | undefined {
  if (fact.kind === 'ASSIGN_RIDER' || !fact.handover || fact.handover === 'NEAR') return undefined;
  if (fact.handover === 'UNVERIFIED') return 'HANDOVER_UNVERIFIED';
  return fact.kind === 'PICK_UP' ? 'FAR_FROM_PICKUP' : 'FAR_FROM_DROPOFF';
}

/** Each fact is the command it always was, by the actor it always was. */
function requestOf(fact: DispatchFact, now: Date): CommandRequest {
  switch (fact.kind) {
    case 'ASSIGN_RIDER':
      return {
        command: { kind: 'ASSIGN_RIDER', riderId: fact.riderId, assignedAt: fact.assignedAt },
        actor: { role: 'system', id: 'dispatch' },
        now,
      };
    case 'PICK_UP':
      return { command: { kind: 'PICK_UP' }, actor: { role: 'rider', id: fact.riderId }, now };
    case 'DELIVER':
      return { command: { kind: 'DELIVER' }, actor: { role: 'rider', id: fact.riderId }, now };
  }
}

/**
 * The facts a pickup or delivery by `riderId` implies but the order has not seen: dispatch only
 * lets a rider pick up an order assigned to them and deliver one they picked up, so a delivery
 * means that rider was assigned and picked it up. Only a ready order (the order service's own
 * READY_FOR_PICKUP) or an assigned one is caught up; anything else is not ahead, but elsewhere.
 */
function impliedBefore(order: Order, fact: DispatchFact): DispatchFact[] {
  if (fact.kind === 'ASSIGN_RIDER') return [];
  if (order.state !== 'READY_FOR_PICKUP' && order.state !== 'RIDER_ASSIGNED') return [];
  const implied: DispatchFact[] = [];
  if (order.state === 'READY_FOR_PICKUP' || order.riderId !== fact.riderId)
    implied.push({ kind: 'ASSIGN_RIDER', riderId: fact.riderId, assignedAt: undefined });
  if (fact.kind === 'DELIVER') implied.push({ kind: 'PICK_UP', riderId: fact.riderId });
  return implied;
}

/**
 * Applies a dispatch fact to the order. Per order the topic keeps the facts in order, but a
 * dead-letter replay or a redelivery can bring one ahead of the facts before it (a delivery while
 * the order still says RIDER_ASSIGNED). Such a fact is not lost: the steps it implies are applied
 * first, each through `decide` with its own actor, so the state machine's rules hold, in one
 * decision (one transaction), and marked in the timeline as implied. The earlier fact, when it
 * comes, is then a repeat. A fact of another rider than the order names, while still
 * RIDER_ASSIGNED, reassigns the order first (dispatch takes orders back, ADR 0013). An assignment
 * that did not happen after the one the order holds is refused (STALE_RIDER_ASSIGNMENT, in
 * `decide`): dispatch gave the order to someone else since. A fact that nothing can make
 * applicable (the order was cancelled, or another rider picked it up) is refused as before, with
 * the refusal of the fact itself.
 * docs/kafka.md#facts-ahead-of-the-order
 */
export function decideDispatchFact(
  order: Order,
  fact: DispatchFact,
  now: Date,
): Result<Decision, CodedError> {
  const direct = decide(order, requestOf(fact, now));
  const implied = direct.ok ? [] : impliedBefore(order, fact);
  if (implied.length === 0) return direct.ok ? ok(marked(direct.value, fact)) : direct;
  let current = order;
  const changes: StateChange[] = [];
  for (const step of [...implied, fact]) {
    const decision = decide(current, requestOf(step, now));
    if (!decision.ok) return direct;
    current = decision.value.order;
    const reason =
      step === fact ? undefined : `IMPLIED_BY_${fact.kind === 'DELIVER' ? 'DELIVERY' : 'PICKUP'}`;
    changes.push(...decision.value.changes.map((c) => ({ ...c, reason: c.reason ?? reason })));
  }
  return ok(marked({ order: current, changes, refund: undefined }, fact));
}

/** The fact's own change (not the steps it implied) carries the handover's mark, if any. */
function marked(decision: Decision, fact: DispatchFact): Decision {
  const reason = handoverReason(fact);
  if (!reason) return decision;
  const to = fact.kind === 'PICK_UP' ? 'PICKED_UP' : 'DELIVERED';
  return {
    ...decision,
    changes: decision.changes.map((c) => (c.to === to && c.reason === undefined ? { ...c, reason } : c)),
  };
}
