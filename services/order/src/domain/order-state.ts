import { err, ok, type CodedError, type Result } from '@mealpeak/core';
import type { CommandKind, CommandRequest, OrderCommand } from './commands.ts';
import { OrderErrors } from './errors.ts';
import type { ActorRole, Order, OrderState, Refund, StateChange } from './order.ts';

/**
 * The order lifecycle (docs/adr/0006):
 *
 *   PLACED -> ACCEPTED -> READY_FOR_PICKUP -> RIDER_ASSIGNED -> PICKED_UP -> DELIVERED
 *      |          \______________ CANCELLED (customer until pickup, merchant before ready, ops) __/
 *      +-> REJECTED (merchant; or the system: not accepted in time, or stock gone at confirmation)
 *
 * A rider assigned while the kitchen is still cooking is recorded on the order; the state moves to
 * RIDER_ASSIGNED when the merchant marks the food ready.
 */
const RULES: Record<
  CommandKind,
  { readonly from: readonly OrderState[]; readonly by: readonly ActorRole[] }
> = {
  ACCEPT: { from: ['PLACED'], by: ['merchant'] },
  // The system rejects when the merchant service finds the stock of a placed order gone.
  REJECT: { from: ['PLACED'], by: ['merchant', 'system'] },
  EXPIRE: { from: ['PLACED'], by: ['system'] },
  MARK_READY: { from: ['ACCEPTED'], by: ['merchant'] },
  ASSIGN_RIDER: { from: ['ACCEPTED', 'READY_FOR_PICKUP', 'RIDER_ASSIGNED'], by: ['system', 'ops'] },
  PICK_UP: { from: ['RIDER_ASSIGNED'], by: ['rider'] },
  DELIVER: { from: ['PICKED_UP'], by: ['rider'] },
  CANCEL: {
    from: ['PLACED', 'ACCEPTED', 'READY_FOR_PICKUP', 'RIDER_ASSIGNED', 'PICKED_UP'],
    by: ['customer', 'merchant', 'ops'],
  },
};

/** Per-role limits on cancelling, narrower than the command's own states. */
const CANCEL_FROM: Partial<Record<ActorRole, readonly OrderState[]>> = {
  customer: ['PLACED', 'ACCEPTED', 'READY_FOR_PICKUP', 'RIDER_ASSIGNED'], // until pickup
  merchant: ['ACCEPTED'], // before ready; a PLACED order is rejected, not cancelled
};

export const MAX_PREP_SECONDS = 4 * 3600;

export interface Decision {
  readonly order: Order;
  /** State changes in order; empty when the command only recorded data (early rider). */
  readonly changes: readonly StateChange[];
  readonly refund: Refund | undefined;
}

function owns(order: Order, role: ActorRole, id: string): boolean {
  switch (role) {
    case 'customer':
      return order.customerId === id;
    case 'merchant':
      return order.merchantId === id;
    case 'rider':
      return order.riderId === id;
    case 'ops':
    case 'system':
      return true;
  }
}

type AssignRider = Extract<OrderCommand, { kind: 'ASSIGN_RIDER' }>;

/**
 * An assignment to another rider that did not happen after the one the order holds: dispatch took
 * the order back and gave it to someone else since (ADR 0013), and this is a replay or a
 * redelivery of the earlier one. Only times dispatch stated are compared; without one on either
 * side the assignment applies as it always did (a dispatch replica older than assigned_at).
 */
function superseded(order: Order, command: AssignRider): CodedError | undefined {
  const { riderId, riderAssignedAt } = order;
  const at = command.assignedAt;
  if (riderId === undefined || riderId === command.riderId || !at || !riderAssignedAt) return undefined;
  return at.getTime() <= riderAssignedAt.getTime()
    ? OrderErrors.staleAssignment(command.riderId, at, riderId)
    : undefined;
}

/**
 * The same rider assigned again keeps the latest time stated: after A, B, A again (the order came
 * back to A once B was released), B's assignment replayed must not win over A's second one. Only
 * data, no snapshot shows it: no version, no event.
 */
function withLatestAssignment(order: Order, command: AssignRider): Order {
  const at = command.assignedAt;
  if (!at || (order.riderAssignedAt && order.riderAssignedAt.getTime() >= at.getTime())) return order;
  return { ...order, riderAssignedAt: at };
}

/** States that mean the merchant accepted the order, and those that mean the food was ready. */
const ACCEPTED_OR_LATER: readonly OrderState[] = [
  'ACCEPTED',
  'READY_FOR_PICKUP',
  'RIDER_ASSIGNED',
  'PICKED_UP',
  'DELIVERED',
];
const READY_OR_LATER: readonly OrderState[] = ACCEPTED_OR_LATER.slice(1);

/**
 * Repeats that change nothing succeed without a change: at-least-once events arrive twice, and a
 * merchant's double tap or retry after a lost reply (the Idempotency-Key is optional) must not be
 * told ILLEGAL_TRANSITION for an order it did accept or mark ready. Rejecting is not repeatable:
 * a REJECTED order may have been rejected by the acceptance timeout, not by this merchant.
 */
function isRepeat(order: Order, { command, actor }: CommandRequest): boolean {
  switch (command.kind) {
    case 'ACCEPT':
      return ACCEPTED_OR_LATER.includes(order.state);
    case 'MARK_READY':
      return READY_OR_LATER.includes(order.state);
    case 'ASSIGN_RIDER':
      return order.riderId === command.riderId && order.state !== 'READY_FOR_PICKUP';
    case 'PICK_UP':
      // Once delivered too: a pickup that arrives after its delivery was implied by it.
      return (order.state === 'PICKED_UP' || order.state === 'DELIVERED') && order.riderId === actor.id;
    case 'DELIVER':
      return order.state === 'DELIVERED' && order.riderId === actor.id;
    default:
      return false;
  }
}

export function decide(order: Order, request: CommandRequest): Result<Decision, CodedError> {
  const { command, actor, now } = request;
  const rule = RULES[command.kind];
  if (!rule.by.includes(actor.role) || !owns(order, actor.role, actor.id)) {
    return err(OrderErrors.notAllowed(actor.role, command.kind));
  }
  const stale = command.kind === 'ASSIGN_RIDER' ? superseded(order, command) : undefined;
  if (stale) return err(stale);
  if (isRepeat(order, request)) {
    const same = command.kind === 'ASSIGN_RIDER' ? withLatestAssignment(order, command) : order;
    return ok({ order: same, changes: [], refund: undefined });
  }
  const allowedFrom = command.kind === 'CANCEL' ? (CANCEL_FROM[actor.role] ?? rule.from) : rule.from;
  if (!allowedFrom.includes(order.state))
    return err(OrderErrors.illegalTransition(order.state, command.kind));

  const change = (to: OrderState, reason?: string, by = actor): StateChange => ({
    from: order.state,
    to,
    actor: by,
    reason,
    at: now,
  });
  const next = (
    patch: Partial<Order>,
    changes: StateChange[],
    refund?: Refund,
  ): Result<Decision, CodedError> => {
    const last = changes.at(-1);
    return ok({
      // One version per state change, so every published snapshot has its own version.
      order: {
        ...order,
        ...patch,
        state: last?.to ?? order.state,
        updatedAt: now,
        version: order.version + Math.max(1, changes.length),
      },
      changes,
      refund,
    });
  };
  const refund = (reason: string): Refund => ({
    orderId: order.id,
    customerId: order.customerId,
    amount: order.total,
    reason,
  });

  switch (command.kind) {
    case 'ACCEPT': {
      if (
        !Number.isInteger(command.prepSeconds) ||
        command.prepSeconds <= 0 ||
        command.prepSeconds > MAX_PREP_SECONDS
      ) {
        return err(
          OrderErrors.invalid([
            { field: 'prepSeconds', message: `must be a whole number of seconds in 1..${MAX_PREP_SECONDS}` },
          ]),
        );
      }
      return next({ expectedReadyAt: new Date(now.getTime() + command.prepSeconds * 1000) }, [
        change('ACCEPTED'),
      ]);
    }
    case 'REJECT':
      return next({ reason: command.reason }, [change('REJECTED', command.reason)], refund(command.reason));
    case 'EXPIRE':
      if (now < order.acceptBy) return err(OrderErrors.illegalTransition(order.state, command.kind));
      return next(
        { reason: 'MERCHANT_TIMEOUT' },
        [change('REJECTED', 'MERCHANT_TIMEOUT')],
        refund('MERCHANT_TIMEOUT'),
      );
    case 'MARK_READY': {
      const ready = change('READY_FOR_PICKUP');
      if (!order.riderId) return next({}, [ready]);
      // A rider was assigned while cooking: the order is ready *and* assigned at once.
      const assigned: StateChange = {
        from: 'READY_FOR_PICKUP',
        to: 'RIDER_ASSIGNED',
        actor: { role: 'system', id: 'order' },
        reason: 'RIDER_PREASSIGNED',
        at: now,
      };
      return next({}, [ready, assigned]);
    }
    case 'ASSIGN_RIDER': {
      // The time belongs to the rider: a new rider without one leaves it unknown, not the old one's.
      const assignment = { riderId: command.riderId, riderAssignedAt: command.assignedAt };
      if (order.state === 'ACCEPTED') return next(assignment, []);
      return next(assignment, [
        change('RIDER_ASSIGNED', order.state === 'RIDER_ASSIGNED' ? 'REASSIGNED' : undefined),
      ]);
    }
    case 'PICK_UP':
      return next({}, [change('PICKED_UP')]);
    case 'DELIVER':
      return next({}, [change('DELIVERED')]);
    case 'CANCEL':
      return next({ reason: command.reason }, [change('CANCELLED', command.reason)], refund(command.reason));
  }
}
