import type { Static } from 'typebox';
import { ActorRole, type GeoPoint, type Money } from '@mealpeak/contracts/common.v1';
import { OrderState, type Order, type StateCount, type TimelineEntry } from '@mealpeak/contracts/order.v1';
import { MerchantStatus, type MenuItem, type Merchant } from '@mealpeak/contracts/merchant.v1';
import {
  DispatchPhase,
  NotOfferableReason,
  OfferOutcome,
  RiderStatus,
  RunOrderState,
  type RiderShift,
  type GetDeliveryTrackingResponse,
  type GetDispatchStatusResponse,
  type OrderOffer,
  type Offer,
  type RunOrder,
} from '@mealpeak/contracts/dispatch.v1';
import type * as DispatchSchemas from './schemas/dispatch.ts';
import type * as DispatchStatusSchemas from './schemas/dispatch-status.ts';
import type { DispatchPhaseName, OfferOutcomeName } from './schemas/dispatch-status.ts';
import type * as OrderSchemas from './schemas/orders.ts';
import type * as MerchantSchemas from './schemas/merchants.ts';
import type {
  NotOfferableReasonName,
  ReleaseReasonName,
  RiderStatusName,
  RunOrderStateName,
} from './schemas/dispatch.ts';
import { ORDER_STATES, type OrderStateName } from './schemas/orders.ts';

/**
 * proto messages -> the JSON of docs/api.md: enums as names, times as ISO 8601 UTC, empty proto3
 * defaults left out. Message fields the API promises but proto3 cannot make required fall back to
 * neutral values ("XXX" is ISO 4217's "no currency"), so a sloppy peer never turns into a 500.
 */

type OrderJson = Static<typeof OrderSchemas.Order>;
type TimelineEntryJson = Static<typeof OrderSchemas.TimelineEntry>;
type MerchantJson = Static<typeof MerchantSchemas.Merchant>;
type MenuItemJson = Static<typeof MerchantSchemas.MenuItem>;
type OfferJson = Static<typeof DispatchSchemas.Offer>;
type TrackingJson = Static<typeof DispatchSchemas.DeliveryTracking>;
type RunOrderJson = Static<typeof DispatchSchemas.RunOrder>;
type RiderShiftJson = Static<typeof DispatchSchemas.RiderShift>;
type DispatchStatusJson = Static<typeof DispatchStatusSchemas.DispatchStatus>;
type DispatchOfferJson = Static<typeof DispatchStatusSchemas.DispatchOffer>;

const STATE_NAME: Record<number, OrderStateName> = {
  [OrderState.ORDER_STATE_PLACED]: 'PLACED',
  [OrderState.ORDER_STATE_ACCEPTED]: 'ACCEPTED',
  [OrderState.ORDER_STATE_READY_FOR_PICKUP]: 'READY_FOR_PICKUP',
  [OrderState.ORDER_STATE_RIDER_ASSIGNED]: 'RIDER_ASSIGNED',
  [OrderState.ORDER_STATE_PICKED_UP]: 'PICKED_UP',
  [OrderState.ORDER_STATE_DELIVERED]: 'DELIVERED',
  [OrderState.ORDER_STATE_REJECTED]: 'REJECTED',
  [OrderState.ORDER_STATE_CANCELLED]: 'CANCELLED',
};

export const STATE_OF_NAME = Object.fromEntries(
  Object.entries(STATE_NAME).map(([value, name]) => [name, Number(value) as OrderState]),
) as Record<OrderStateName, OrderState>;

/**
 * The name of a proto enum value. A value added to the proto later reaches old gateways as a
 * number we cannot name: UNKNOWN (documented in the API), not a crash or a number.
 */
const nameOf = <N extends string>(names: Record<number, N>, value: number): N =>
  names[value] ?? ('UNKNOWN' as N);

const stateName = (state: OrderState): OrderStateName => nameOf(STATE_NAME, state);

const ACTOR_NAME: Record<number, TimelineEntryJson['actor']['role']> = {
  [ActorRole.ACTOR_ROLE_CUSTOMER]: 'CUSTOMER',
  [ActorRole.ACTOR_ROLE_MERCHANT]: 'MERCHANT',
  [ActorRole.ACTOR_ROLE_RIDER]: 'RIDER',
  [ActorRole.ACTOR_ROLE_OPS]: 'OPS',
  [ActorRole.ACTOR_ROLE_SYSTEM]: 'SYSTEM',
};

const MERCHANT_STATUS_NAME: Record<number, MerchantJson['status']> = {
  [MerchantStatus.MERCHANT_STATUS_OPEN]: 'OPEN',
  [MerchantStatus.MERCHANT_STATUS_PAUSED]: 'PAUSED',
  [MerchantStatus.MERCHANT_STATUS_AUTO_PAUSED]: 'AUTO_PAUSED',
  [MerchantStatus.MERCHANT_STATUS_CLOSED]: 'CLOSED',
};

const money = (m: Money | undefined) => ({
  amountMinor: m?.amountMinor ?? 0,
  currency: m?.currency || 'XXX',
});
const point = (p: GeoPoint | undefined) => ({ lat: p?.lat ?? 0, lng: p?.lng ?? 0 });
const iso = (d: Date | undefined) => (d ?? new Date(0)).toISOString();
const optional = <K extends string, V>(key: K, value: V | undefined | '') =>
  (value === undefined || value === '' ? {} : { [key]: value }) as Partial<Record<K, V>>;

export function orderJson(o: Order): OrderJson {
  return {
    id: o.id,
    customerId: o.customerId,
    merchantId: o.merchantId,
    // Empty (an order placed before they were copied, an older order service): left out.
    ...optional('merchantName', o.merchantName),
    ...optional('pickupAddress', o.pickupAddress),
    state: stateName(o.state),
    lines: o.lines.map((l) => ({
      itemId: l.itemId,
      name: l.name,
      quantity: l.quantity,
      unitPrice: money(l.unitPrice),
      lineTotal: money(l.lineTotal),
    })),
    total: money(o.total),
    pickup: point(o.pickup),
    dropoff: point(o.dropoff),
    dropoffAddress: o.dropoffAddress,
    placedAt: iso(o.placedAt),
    updatedAt: iso(o.updatedAt),
    ...optional('expectedReadyAt', o.expectedReadyAt?.toISOString()),
    ...optional('promisedAt', o.promisedAt?.toISOString()),
    ...optional('acceptBy', o.acceptBy?.toISOString()),
    ...optional('riderId', o.riderId),
    ...optional('reason', o.reason),
    version: o.version,
  };
}

/** Actor ids (ops users, riders) are for ops; customers see who acted by role only. */
export function timelineEntryJson(e: TimelineEntry, withActorIds: boolean): TimelineEntryJson {
  return {
    ...optional('fromState', STATE_NAME[e.fromState]),
    toState: stateName(e.toState),
    actor: {
      role: ACTOR_NAME[e.actor?.role ?? ActorRole.ACTOR_ROLE_SYSTEM] ?? 'SYSTEM',
      ...optional('id', withActorIds ? e.actor?.id : undefined),
    },
    ...optional('reason', e.reason),
    at: iso(e.at),
  };
}

export function countsJson(counts: readonly StateCount[]): Record<OrderStateName, number> {
  const out = Object.fromEntries(ORDER_STATES.map((s) => [s, 0])) as Record<OrderStateName, number>;
  for (const c of counts) {
    const name = STATE_NAME[c.state];
    if (name) out[name] += c.count;
  }
  return out;
}

/** `own`: the merchant looking at itself also sees its kitchen figures. */
export function merchantJson(m: Merchant, extra: { distanceM?: number; own?: boolean } = {}): MerchantJson {
  return {
    id: m.id,
    name: m.name,
    ...optional('address', m.address),
    location: point(m.location),
    timeZone: m.timeZone,
    openingHours: m.openingHours.map((w) => ({
      dayOfWeek: w.dayOfWeek,
      openMinute: w.openMinute,
      closeMinute: w.closeMinute,
    })),
    status: MERCHANT_STATUS_NAME[m.status] ?? 'CLOSED',
    prepEstimateSeconds: m.prepEstimateSeconds,
    deliveryRadiusM: m.deliveryRadiusM,
    ...optional('distanceM', extra.distanceM),
    ...(extra.own
      ? {
          kitchen: {
            capacity: m.kitchenCapacity,
            backlog: m.backlog,
            autoPauseBacklog: m.autoPauseBacklog,
            // 0: a merchant service from before the field (never a valid base time).
            ...(m.basePrepSeconds > 0 ? { basePrepSeconds: m.basePrepSeconds } : {}),
          },
        }
      : {}),
  };
}

export function menuItemJson(i: MenuItem): MenuItemJson {
  return {
    id: i.id,
    name: i.name,
    // proto3 sends '' for an item without one: left out, as every field without a value.
    ...optional('description', i.description),
    price: money(i.price),
    stock: i.stock,
    available: i.available,
  };
}

const RIDER_STATUS_NAME: Record<number, RiderStatusName> = {
  [RiderStatus.RIDER_STATUS_OFFLINE]: 'OFFLINE',
  [RiderStatus.RIDER_STATUS_IDLE]: 'IDLE',
  [RiderStatus.RIDER_STATUS_OFFERED]: 'OFFERED',
  [RiderStatus.RIDER_STATUS_DELIVERING]: 'DELIVERING',
};

export const riderStatusName = (status: RiderStatus): RiderStatusName => nameOf(RIDER_STATUS_NAME, status);

const NOT_OFFERABLE_NAME: Record<number, NotOfferableReasonName> = {
  [NotOfferableReason.NOT_OFFERABLE_REASON_OFFLINE]: 'OFFLINE',
  [NotOfferableReason.NOT_OFFERABLE_REASON_LEAVING]: 'LEAVING',
  [NotOfferableReason.NOT_OFFERABLE_REASON_SHIFT_ENDED]: 'SHIFT_ENDED',
  [NotOfferableReason.NOT_OFFERABLE_REASON_NO_POSITION]: 'NO_POSITION',
};

export function riderShiftJson(s: RiderShift): RiderShiftJson {
  const status = riderStatusName(s.status);
  return {
    status,
    online: status !== 'OFFLINE',
    leaving: s.leaving,
    ...optional('shiftEndsAt', s.shiftEndsAt?.toISOString()),
    offerable: s.offerable,
    // UNSPECIFIED (an older dispatch) is left out rather than named.
    ...optional('notOfferableReason', s.offerable ? undefined : NOT_OFFERABLE_NAME[s.reason]),
  };
}

/**
 * Where the food is collected and whether it is ready (an older dispatch sends no estimate, and
 * no restaurant name or address; orders placed before they were copied have none either).
 */
const collectionJson = (
  o: Pick<RunOrder, 'merchantId' | 'merchantName' | 'pickupAddress' | 'ready' | 'expectedReadyAt'>,
) => ({
  merchantId: o.merchantId,
  ...optional('merchantName', o.merchantName),
  ...optional('pickupAddress', o.pickupAddress),
  ready: o.ready,
  ...optional('expectedReadyAt', o.expectedReadyAt?.toISOString()),
});

export function offerJson(o: Offer): OfferJson {
  return {
    offerId: o.offerId,
    orderIds: [...o.orderIds],
    pickup: point(o.pickup),
    expiresAt: iso(o.expiresAt),
    orders: o.orders.map((x) => ({
      orderId: x.orderId,
      sequence: x.sequence,
      dropoff: point(x.dropoff),
      dropoffAddress: x.dropoffAddress,
      cancelled: x.cancelled,
      ...collectionJson(x),
    })),
  };
}

const RUN_STATE_NAME: Record<number, RunOrderStateName> = {
  [RunOrderState.RUN_ORDER_STATE_ASSIGNED]: 'ASSIGNED',
  [RunOrderState.RUN_ORDER_STATE_PICKED_UP]: 'PICKED_UP',
  [RunOrderState.RUN_ORDER_STATE_CANCELLED]: 'CANCELLED',
  [RunOrderState.RUN_ORDER_STATE_RELEASED]: 'RELEASED',
};

const RELEASE_REASON_NAME: Record<string, ReleaseReasonName> = {
  offline_requested: 'OFFLINE_REQUESTED',
  shift_ended: 'SHIFT_ENDED',
  rider_silent: 'RIDER_SILENT',
};

export function runOrderJson(o: RunOrder): RunOrderJson {
  return {
    orderId: o.orderId,
    state: nameOf(RUN_STATE_NAME, o.state),
    offerId: o.offerId,
    sequence: o.sequence,
    pickup: point(o.pickup),
    // Left out of a RELEASED order: it is another rider's now (dispatch sends none).
    ...(o.dropoff ? { dropoff: point(o.dropoff), dropoffAddress: o.dropoffAddress } : {}),
    ...collectionJson(o),
    assignedAt: iso(o.assignedAt),
    ...optional('pickedUpAt', o.pickedUpAt?.toISOString()),
    ...optional('cancelledAt', o.cancelledAt?.toISOString()),
    ...optional('releasedAt', o.releasedAt?.toISOString()),
    ...optional('releaseReason', RELEASE_REASON_NAME[o.releaseReason]),
  };
}

/** Unlike the rest of the API, tracking answers with explicit nulls: the app draws every field. */
export function trackingJson(t: GetDeliveryTrackingResponse): TrackingJson {
  return {
    orderId: t.orderId,
    riderId: t.riderId === '' ? null : t.riderId,
    riderPosition: t.riderPosition ? point(t.riderPosition) : null,
    positionAt: t.positionAt ? t.positionAt.toISOString() : null,
    eta: iso(t.eta),
  };
}

const PHASE_NAME: Record<number, DispatchPhaseName> = {
  [DispatchPhase.DISPATCH_PHASE_WAITING]: 'WAITING',
  [DispatchPhase.DISPATCH_PHASE_OFFERED]: 'OFFERED',
  [DispatchPhase.DISPATCH_PHASE_ASSIGNED]: 'ASSIGNED',
  [DispatchPhase.DISPATCH_PHASE_PICKED_UP]: 'PICKED_UP',
  [DispatchPhase.DISPATCH_PHASE_DELIVERED]: 'DELIVERED',
  [DispatchPhase.DISPATCH_PHASE_CANCELLED]: 'CANCELLED',
};

const OUTCOME_NAME: Record<number, OfferOutcomeName> = {
  [OfferOutcome.OFFER_OUTCOME_PENDING]: 'PENDING',
  [OfferOutcome.OFFER_OUTCOME_ACCEPTED]: 'ACCEPTED',
  [OfferOutcome.OFFER_OUTCOME_RELEASED]: 'RELEASED',
  [OfferOutcome.OFFER_OUTCOME_DECLINED]: 'DECLINED',
  [OfferOutcome.OFFER_OUTCOME_DECLINED_GOING_OFFLINE]: 'DECLINED_GOING_OFFLINE',
  [OfferOutcome.OFFER_OUTCOME_EXPIRED]: 'EXPIRED',
  [OfferOutcome.OFFER_OUTCOME_WITHDRAWN]: 'WITHDRAWN',
};

function dispatchOfferJson(o: OrderOffer): DispatchOfferJson {
  return {
    offerId: o.offerId,
    riderId: o.riderId,
    outcome: nameOf(OUTCOME_NAME, o.outcome),
    offeredAt: iso(o.offeredAt),
    expiresAt: iso(o.expiresAt),
    ...optional('answeredAt', o.answeredAt?.toISOString()),
    ...optional('releasedAt', o.releasedAt?.toISOString()),
    ...optional('releaseReason', RELEASE_REASON_NAME[o.releaseReason]),
    orderIds: [...o.orderIds],
  };
}

export function dispatchStatusJson(s: GetDispatchStatusResponse): DispatchStatusJson {
  const c = s.offerCounts;
  return {
    orderId: s.orderId,
    phase: nameOf(PHASE_NAME, s.phase),
    zone: s.zone,
    merchantId: s.merchantId,
    placedAt: iso(s.placedAt),
    ready: s.ready,
    ...optional('expectedReadyAt', s.expectedReadyAt?.toISOString()),
    ...(s.pendingOffer ? { pendingOffer: dispatchOfferJson(s.pendingOffer) } : {}),
    ...optional('riderId', s.riderId),
    ...optional('assignedAt', s.assignedAt?.toISOString()),
    ...optional('pickedUpAt', s.pickedUpAt?.toISOString()),
    ...optional('deliveredAt', s.deliveredAt?.toISOString()),
    ...optional('cancelledAt', s.cancelledAt?.toISOString()),
    ...optional('cancelHoldUntil', s.cancelHoldUntil?.toISOString()),
    offerCounts: {
      accepted: c?.accepted ?? 0,
      released: c?.released ?? 0,
      declined: c?.declined ?? 0,
      declinedGoingOffline: c?.declinedGoingOffline ?? 0,
      expired: c?.expired ?? 0,
      withdrawn: c?.withdrawn ?? 0,
    },
    recentOffers: s.recentOffers.map(dispatchOfferJson),
  };
}
