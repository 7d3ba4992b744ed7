import {
  DispatchPhase as ProtoDispatchPhase,
  OfferOutcome as ProtoOfferOutcome,
  type GetDispatchStatusResponse,
  type OrderOffer as ProtoOrderOffer,
  NotOfferableReason as ProtoNotOfferableReason,
  RiderStatus as ProtoRiderStatus,
  type RiderShift as ProtoRiderShift,
  RunOrderState as ProtoRunOrderState,
  type Offer as ProtoOffer,
  type RunOrder as ProtoRunOrder,
} from '@mealpeak/contracts/dispatch.v1';
import { OrderState, type OrderStateChanged } from '@mealpeak/contracts/order.v1';
import type { OfflineResult, OrderFacts } from '../app/ports.ts';
import type { UpstreamOrderState } from '../domain/delivery/model.ts';
import type { NotOfferableReason, RiderShiftView } from '../domain/delivery/shift.ts';
import type { OfferDetails, RunOrder, RunOrderState } from '../domain/delivery/run.ts';
import type {
  DispatchPhase,
  DispatchStatus,
  OfferOutcome,
  OrderOffer,
} from '../domain/delivery/dispatch-status.ts';

/** Wire <-> domain for the gRPC API and the consumed order events. */

const UPSTREAM = new Map<number, UpstreamOrderState>(
  Object.entries(OrderState)
    .filter(([k]) => k.startsWith('ORDER_STATE_') && k !== 'ORDER_STATE_UNSPECIFIED')
    .map(([k, v]) => [v, k.slice('ORDER_STATE_'.length) as UpstreamOrderState]),
);

export function riderStatusToProto(result: OfflineResult): ProtoRiderStatus {
  if (!result.online) return ProtoRiderStatus.RIDER_STATUS_OFFLINE;
  switch (result.status) {
    case 'idle':
      return ProtoRiderStatus.RIDER_STATUS_IDLE;
    case 'offered':
      return ProtoRiderStatus.RIDER_STATUS_OFFERED;
    case 'delivering':
      return ProtoRiderStatus.RIDER_STATUS_DELIVERING;
  }
}

const REASON: Record<NotOfferableReason, ProtoNotOfferableReason> = {
  offline: ProtoNotOfferableReason.NOT_OFFERABLE_REASON_OFFLINE,
  leaving: ProtoNotOfferableReason.NOT_OFFERABLE_REASON_LEAVING,
  shift_ended: ProtoNotOfferableReason.NOT_OFFERABLE_REASON_SHIFT_ENDED,
  no_position: ProtoNotOfferableReason.NOT_OFFERABLE_REASON_NO_POSITION,
};

export const riderShiftToProto = (v: RiderShiftView): ProtoRiderShift => ({
  status: riderStatusToProto(v),
  leaving: v.leaving,
  shiftEndsAt: v.shiftEndsAt,
  offerable: v.offerable,
  reason: v.reason ? REASON[v.reason] : ProtoNotOfferableReason.NOT_OFFERABLE_REASON_UNSPECIFIED,
});

export const offerToProto = (o: OfferDetails): ProtoOffer => ({
  offerId: o.offerId,
  riderId: o.riderId,
  orderIds: [...o.orderIds],
  pickup: o.pickup,
  expiresAt: o.expiresAt,
  orders: o.orders.map((x) => ({ ...x })),
});

const RUN_STATE: Record<RunOrderState, ProtoRunOrderState> = {
  assigned: ProtoRunOrderState.RUN_ORDER_STATE_ASSIGNED,
  picked_up: ProtoRunOrderState.RUN_ORDER_STATE_PICKED_UP,
  cancelled: ProtoRunOrderState.RUN_ORDER_STATE_CANCELLED,
  released: ProtoRunOrderState.RUN_ORDER_STATE_RELEASED,
};

export const runOrderToProto = (o: RunOrder): ProtoRunOrder => ({
  ...o,
  state: RUN_STATE[o.state],
  releasedAt: o.releasedAt,
  releaseReason: o.releaseReason ?? '',
});

const PHASE: Record<DispatchPhase, ProtoDispatchPhase> = {
  waiting: ProtoDispatchPhase.DISPATCH_PHASE_WAITING,
  offered: ProtoDispatchPhase.DISPATCH_PHASE_OFFERED,
  assigned: ProtoDispatchPhase.DISPATCH_PHASE_ASSIGNED,
  picked_up: ProtoDispatchPhase.DISPATCH_PHASE_PICKED_UP,
  delivered: ProtoDispatchPhase.DISPATCH_PHASE_DELIVERED,
  cancelled: ProtoDispatchPhase.DISPATCH_PHASE_CANCELLED,
};

const OUTCOME: Record<OfferOutcome, ProtoOfferOutcome> = {
  pending: ProtoOfferOutcome.OFFER_OUTCOME_PENDING,
  accepted: ProtoOfferOutcome.OFFER_OUTCOME_ACCEPTED,
  released: ProtoOfferOutcome.OFFER_OUTCOME_RELEASED,
  declined: ProtoOfferOutcome.OFFER_OUTCOME_DECLINED,
  declined_going_offline: ProtoOfferOutcome.OFFER_OUTCOME_DECLINED_GOING_OFFLINE,
  expired: ProtoOfferOutcome.OFFER_OUTCOME_EXPIRED,
  withdrawn: ProtoOfferOutcome.OFFER_OUTCOME_WITHDRAWN,
};

const orderOfferToProto = (o: OrderOffer): ProtoOrderOffer => ({
  offerId: o.offerId,
  riderId: o.riderId,
  outcome: OUTCOME[o.outcome],
  offeredAt: o.offeredAt,
  expiresAt: o.expiresAt,
  answeredAt: o.answeredAt,
  releasedAt: o.releasedAt,
  releaseReason: o.releaseReason ?? '',
  orderIds: [...o.orderIds],
});

export const dispatchStatusToProto = (s: DispatchStatus): GetDispatchStatusResponse => ({
  orderId: s.orderId,
  phase: PHASE[s.phase],
  zone: s.zone,
  merchantId: s.merchantId,
  placedAt: s.placedAt,
  ready: s.ready,
  expectedReadyAt: s.expectedReadyAt,
  pendingOffer: s.pendingOffer && orderOfferToProto(s.pendingOffer),
  riderId: s.riderId ?? '',
  assignedAt: s.assignedAt,
  pickedUpAt: s.pickedUpAt,
  deliveredAt: s.deliveredAt,
  cancelledAt: s.cancelledAt,
  cancelHoldUntil: s.cancelHoldUntil,
  offerCounts: {
    accepted: s.offerCounts.accepted,
    released: s.offerCounts.released,
    declined: s.offerCounts.declined,
    declinedGoingOffline: s.offerCounts.declined_going_offline,
    expired: s.offerCounts.expired,
    withdrawn: s.offerCounts.withdrawn,
  },
  recentOffers: s.recentOffers.map(orderOfferToProto),
});

const finite = (...values: number[]) => values.every(Number.isFinite);

/**
 * The facts dispatch keeps from an OrderStateChanged snapshot, or a reason it cannot use it (the
 * consumer dead-letters those: the order service always sends a full snapshot).
 */
export function orderFactsFromEvent(e: OrderStateChanged): Omit<OrderFacts, 'zone'> | string {
  const o = e.order;
  const toState = UPSTREAM.get(e.toState);
  if (!o?.id) return 'snapshot without an order id';
  if (!toState) return `unknown order state ${e.toState}`;
  if (!o.pickup || !o.dropoff || !finite(o.pickup.lat, o.pickup.lng, o.dropoff.lat, o.dropoff.lng))
    return 'snapshot without pickup or drop-off coordinates';
  if (!o.placedAt || !o.promisedAt) return 'snapshot without placement or promise time';
  return {
    orderId: o.id,
    toState,
    version: o.version,
    merchantId: o.merchantId,
    customerId: o.customerId,
    pickup: { lat: o.pickup.lat, lng: o.pickup.lng },
    dropoff: { lat: o.dropoff.lat, lng: o.dropoff.lng },
    dropoffAddress: o.dropoffAddress,
    // Absent (empty) from an order service before the fields: the order dispatches without them.
    merchantName: o.merchantName,
    pickupAddress: o.pickupAddress,
    placedAt: o.placedAt,
    // Set by the merchant's acceptance; before it, the placement time stands in.
    expectedReadyAt: o.expectedReadyAt ?? o.placedAt,
    promisedAt: o.promisedAt,
  };
}
