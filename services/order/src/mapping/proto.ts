/**
 * Domain <-> wire (proto) mapping, shared by the gRPC transport and the outbox events, so the
 * API and the events describe an order the same way.
 */
import { err, ok, textProblem, type CodedError, type Result } from '@mealpeak/core';
import { ActorRole as ProtoActorRole, type Actor as ProtoActor } from '@mealpeak/contracts/common.v1';
import {
  OrderCommand as ProtoCommand,
  OrderState as ProtoState,
  type Order as ProtoOrder,
  type TimelineEntry,
  type TransitionOrderRequest,
} from '@mealpeak/contracts/order.v1';
import type { OrderCommand } from '../domain/commands.ts';
import { OrderErrors } from '../domain/errors.ts';
import type { Actor, ActorRole, Order, OrderState, StateChange } from '../domain/order.ts';

const STATE_TO_PROTO: Record<OrderState, ProtoState> = {
  PLACED: ProtoState.ORDER_STATE_PLACED,
  ACCEPTED: ProtoState.ORDER_STATE_ACCEPTED,
  READY_FOR_PICKUP: ProtoState.ORDER_STATE_READY_FOR_PICKUP,
  RIDER_ASSIGNED: ProtoState.ORDER_STATE_RIDER_ASSIGNED,
  PICKED_UP: ProtoState.ORDER_STATE_PICKED_UP,
  DELIVERED: ProtoState.ORDER_STATE_DELIVERED,
  REJECTED: ProtoState.ORDER_STATE_REJECTED,
  CANCELLED: ProtoState.ORDER_STATE_CANCELLED,
};
const PROTO_TO_STATE = new Map<number, OrderState>(
  Object.entries(STATE_TO_PROTO).map(([k, v]) => [v, k as OrderState]),
);

const ROLE_TO_PROTO: Record<ActorRole, ProtoActorRole> = {
  customer: ProtoActorRole.ACTOR_ROLE_CUSTOMER,
  merchant: ProtoActorRole.ACTOR_ROLE_MERCHANT,
  rider: ProtoActorRole.ACTOR_ROLE_RIDER,
  ops: ProtoActorRole.ACTOR_ROLE_OPS,
  system: ProtoActorRole.ACTOR_ROLE_SYSTEM,
};
const PROTO_TO_ROLE = new Map<number, ActorRole>(
  Object.entries(ROLE_TO_PROTO).map(([k, v]) => [v, k as ActorRole]),
);

export const stateToProto = (state: OrderState): ProtoState => STATE_TO_PROTO[state];
export const stateFromProto = (state: number): OrderState | undefined => PROTO_TO_STATE.get(state);
export const actorToProto = (actor: Actor): ProtoActor => ({ role: ROLE_TO_PROTO[actor.role], id: actor.id });

export function actorFromProto(actor: ProtoActor | undefined): Result<Actor, CodedError> {
  const role = actor ? PROTO_TO_ROLE.get(actor.role) : undefined;
  if (!actor || !role || !actor.id)
    return err(OrderErrors.invalid([{ field: 'actor', message: 'needs a role and an id' }]));
  return ok({ role, id: actor.id });
}

export function orderToProto(order: Order): ProtoOrder {
  return {
    id: order.id,
    customerId: order.customerId,
    merchantId: order.merchantId,
    state: stateToProto(order.state),
    lines: order.lines.map((l) => ({ ...l, unitPrice: l.unitPrice, lineTotal: l.lineTotal })),
    total: order.total,
    pickup: order.pickup,
    // '' for an order that has none: proto3 cannot tell unset from empty anyway.
    merchantName: order.merchantName ?? '',
    pickupAddress: order.pickupAddress ?? '',
    dropoff: order.dropoff,
    dropoffAddress: order.dropoffAddress,
    placedAt: order.placedAt,
    updatedAt: order.updatedAt,
    expectedReadyAt: order.expectedReadyAt,
    promisedAt: order.promisedAt,
    acceptBy: order.state === 'PLACED' ? order.acceptBy : undefined,
    riderId: order.riderId ?? '',
    reason: order.reason ?? '',
    version: order.version,
  };
}

export const changeToProto = (c: StateChange): TimelineEntry => ({
  fromState: c.from ? stateToProto(c.from) : ProtoState.ORDER_STATE_UNSPECIFIED,
  toState: stateToProto(c.to),
  actor: actorToProto(c.actor),
  reason: c.reason ?? '',
  at: c.at,
});

/** The reason of a cancellation that gave none. */
export const NO_REASON_GIVEN = 'NO_REASON_GIVEN';
/** Reasons are codes or a customer's short note; the gateway allows 200 characters too. */
export const MAX_REASON_CHARS = 200;

export function commandFromProto(req: TransitionOrderRequest): Result<OrderCommand, CodedError> {
  const reason = req.reason.trim();
  const reasonProblem = textProblem(reason, MAX_REASON_CHARS);
  // A rejection must say why (the customer is shown it); a cancellation may not (a customer who
  // changed their mind): it is recorded as NO_REASON_GIVEN.
  const needReason = (kind: 'REJECT' | 'CANCEL'): Result<OrderCommand, CodedError> => {
    if (reasonProblem) return err(OrderErrors.invalid([{ field: 'reason', message: reasonProblem }]));
    if (reason) return ok({ kind, reason });
    return kind === 'CANCEL'
      ? ok({ kind, reason: NO_REASON_GIVEN })
      : err(OrderErrors.invalid([{ field: 'reason', message: 'is required' }]));
  };
  switch (req.command) {
    case ProtoCommand.ORDER_COMMAND_ACCEPT:
      return ok({ kind: 'ACCEPT', prepSeconds: req.prepSeconds });
    case ProtoCommand.ORDER_COMMAND_REJECT:
      return needReason('REJECT');
    case ProtoCommand.ORDER_COMMAND_MARK_READY:
      return ok({ kind: 'MARK_READY' });
    case ProtoCommand.ORDER_COMMAND_ASSIGN_RIDER:
      return req.riderId
        ? ok({ kind: 'ASSIGN_RIDER', riderId: req.riderId })
        : err(OrderErrors.invalid([{ field: 'riderId', message: 'is required' }]));
    case ProtoCommand.ORDER_COMMAND_PICK_UP:
      return ok({ kind: 'PICK_UP' });
    case ProtoCommand.ORDER_COMMAND_DELIVER:
      return ok({ kind: 'DELIVER' });
    case ProtoCommand.ORDER_COMMAND_CANCEL:
      return needReason('CANCEL');
    default:
      return err(OrderErrors.invalid([{ field: 'command', message: 'is not a known command' }]));
  }
}
