import { err, ok, type CodedError, type Result } from '@mealpeak/core';
import { DispatchErrors } from '../errors.ts';
import type { DispatchOrder, Offer, RiderStatus, UpstreamOrderState } from './model.ts';

/** What answering an offer changes (`action`) and what the rider is told (`result`: accepted?). */
export interface OfferResponse {
  readonly action: 'accept' | 'decline' | 'expire' | 'none';
  readonly result: Result<boolean, CodedError>;
}

/**
 * A rider's answer to an offer. Repeats of the same answer are harmless (the app retries); a late
 * answer to a pending offer past its expiry expires it, exactly as the sweeper would have.
 */
/** An offer is answerable until its expiresAt, exclusive: at that instant it has lapsed. */
export const offerLapsed = (offer: Pick<Offer, 'expiresAt'>, now: Date): boolean =>
  offer.expiresAt.getTime() <= now.getTime();

export function decideOfferResponse(
  offer: Pick<Offer, 'offerId' | 'riderId' | 'status' | 'expiresAt' | 'declinedBy'>,
  riderId: string,
  accept: boolean,
  now: Date,
): OfferResponse {
  const none = (result: Result<boolean, CodedError>): OfferResponse => ({ action: 'none', result });
  if (offer.riderId !== riderId) return none(err(DispatchErrors.offerNotFound(offer.offerId)));
  switch (offer.status) {
    case 'pending':
      if (offerLapsed(offer, now))
        return { action: 'expire', result: err(DispatchErrors.offerExpired(offer.offerId)) };
      return accept ? { action: 'accept', result: ok(true) } : { action: 'decline', result: ok(false) };
    case 'accepted':
      return none(accept ? ok(true) : err(DispatchErrors.offerAlreadyAnswered(offer.offerId, 'accepted')));
    case 'declined':
      return none(
        accept
          ? err(DispatchErrors.offerAlreadyAnswered(offer.offerId, 'declined', offer.declinedBy))
          : ok(false),
      );
    case 'expired':
      return none(accept ? err(DispatchErrors.offerExpired(offer.offerId)) : ok(false));
    case 'withdrawn':
      return none(accept ? err(DispatchErrors.offerWithdrawn(offer.offerId)) : ok(false));
  }
}

type HeldOrder = Pick<DispatchOrder, 'orderId' | 'state' | 'riderId' | 'ready'>;

/**
 * A rider may pick up only an order assigned to them, once the merchant marked it ready, and not
 * while a customer's cancellation holds it (ADR 0016).
 */
export function decidePickup(
  order: HeldOrder & Pick<DispatchOrder, 'cancelHoldUntil'>,
  riderId: string,
  now: Date,
): Result<'pick_up' | 'repeat', CodedError> {
  if (order.riderId !== riderId) return err(DispatchErrors.orderNotHeld(order.orderId));
  switch (order.state) {
    case 'assigned':
      if (order.cancelHoldUntil && order.cancelHoldUntil.getTime() > now.getTime())
        return err(DispatchErrors.orderCancelPending(order.orderId));
      // The order service only takes a pickup from RIDER_ASSIGNED, which needs READY_FOR_PICKUP.
      return order.ready ? ok('pick_up') : err(DispatchErrors.orderNotReady(order.orderId));
    case 'picked_up':
    case 'delivered':
      return ok('repeat');
    case 'cancelled':
      return err(DispatchErrors.orderCancelled(order.orderId));
    case 'waiting':
    case 'offered':
      return err(DispatchErrors.orderNotHeld(order.orderId));
  }
}

/**
 * A customer's cancellation asks first (ADR 0016): refused once the food is with a rider; otherwise
 * the order is held against pickup until `until` (the CANCELLED event ends it for good; a
 * cancellation that never commits lets the hold lapse). Nothing to hold once it is cancelled.
 */
export function decideCancelHold(
  order: Pick<DispatchOrder, 'orderId' | 'state'>,
): Result<'hold' | 'nothing', CodedError> {
  switch (order.state) {
    case 'picked_up':
    case 'delivered':
      return err(DispatchErrors.orderPickedUp(order.orderId));
    case 'cancelled':
      return ok('nothing');
    case 'waiting':
    case 'offered':
    case 'assigned':
      return ok('hold');
  }
}

export function decideDelivery(order: HeldOrder, riderId: string): Result<'deliver' | 'repeat', CodedError> {
  if (order.riderId !== riderId) return err(DispatchErrors.orderNotHeld(order.orderId));
  switch (order.state) {
    case 'picked_up':
      return ok('deliver');
    case 'delivered':
      return ok('repeat');
    case 'assigned':
      return err(DispatchErrors.orderNotPickedUp(order.orderId));
    case 'cancelled':
      return err(DispatchErrors.orderCancelled(order.orderId));
    case 'waiting':
    case 'offered':
      return err(DispatchErrors.orderNotHeld(order.orderId));
  }
}

export type OrderEventAction = 'insert' | 'refresh' | 'cancel' | 'tombstone' | 'ignore';

/**
 * How an OrderStateChanged snapshot changes dispatch's view:
 * - insert: an accepted (or already ready) order dispatch has not seen: it waits for a rider;
 * - refresh: newer snapshot of a known order: readiness and times, never dispatch's own state;
 * - cancel: rejected or cancelled upstream: withdraw it and free its rider;
 * - tombstone: rejected or cancelled before dispatch saw it: record it as cancelled at this
 *   version, so an older ACCEPTED or READY_FOR_PICKUP arriving later (a dead-letter replay, a
 *   redelivery) is stale instead of inserting a waiting order that nobody will ever collect;
 * - ignore: stale (version not newer), finished, or nothing dispatch needs.
 */
export function decideOrderEvent(
  existing: Pick<DispatchOrder, 'state' | 'version'> | undefined,
  toState: UpstreamOrderState,
  version: number,
): OrderEventAction {
  if (existing && version <= existing.version) return 'ignore';
  const finished = existing?.state === 'delivered' || existing?.state === 'cancelled';
  switch (toState) {
    case 'ACCEPTED':
    case 'READY_FOR_PICKUP':
      return existing ? (finished ? 'ignore' : 'refresh') : 'insert';
    case 'REJECTED':
    case 'CANCELLED':
      if (!existing) return 'tombstone';
      return finished ? 'ignore' : 'cancel';
    case 'RIDER_ASSIGNED':
    case 'PICKED_UP':
    case 'DELIVERED':
      return existing && !finished ? 'refresh' : 'ignore';
    case 'PLACED':
      return 'ignore';
  }
}

/** Upstream states in which the food is ready for pickup. */
export const isReadyState = (state: UpstreamOrderState): boolean =>
  state === 'READY_FOR_PICKUP' ||
  state === 'RIDER_ASSIGNED' ||
  state === 'PICKED_UP' ||
  state === 'DELIVERED';

/**
 * Going offline: at once when idle; a pending offer counts as declined first; while delivering the
 * rider is only marked to go offline after the last drop-off (no new offers meanwhile), because
 * the orders in the bag must still arrive (docs/dispatch-service.md#going-offline).
 */
export function decideOffline(status: RiderStatus): 'offline' | 'decline_offer' | 'after_deliveries' {
  switch (status) {
    case 'idle':
      return 'offline';
    case 'offered':
      return 'decline_offer';
    case 'delivering':
      return 'after_deliveries';
  }
}
