import { codedError, type CodedError, type FieldError } from '@mealpeak/core';
import type { DeclinedBy } from './delivery/model.ts';
import type { ReleaseReason } from './delivery/release.ts';

/** Why an order was taken back from a rider, as the rider is told. */
const RELEASED_BECAUSE: Record<ReleaseReason, string> = {
  offline_requested: 'you went offline',
  shift_ended: 'your shift ended',
  rider_silent: 'no position came from you for minutes',
};

/** Every expected failure of the dispatch service, with its stable code (docs/dispatch-service.md). */
export const DispatchErrors = {
  invalid: (fields: readonly FieldError[]): CodedError =>
    codedError(
      'invalid',
      'INVALID_ARGUMENT',
      fields.map((f) => `${f.field}: ${f.message}`).join('; '),
      fields,
    ),
  riderNotFound: (riderId: string): CodedError =>
    codedError('not_found', 'RIDER_NOT_FOUND', `rider ${riderId} has never been online`),
  offerNotFound: (offerId: string): CodedError =>
    codedError('not_found', 'OFFER_NOT_FOUND', `no offer ${offerId} for this rider`),
  offerExpired: (offerId: string): CodedError =>
    codedError('conflict', 'OFFER_EXPIRED', `offer ${offerId} expired before it was answered`),
  offerWithdrawn: (offerId: string): CodedError =>
    codedError('conflict', 'OFFER_WITHDRAWN', `offer ${offerId} was withdrawn: its orders were cancelled`),
  offerReleased: (offerId: string, reason: ReleaseReason | undefined): CodedError =>
    codedError(
      'conflict',
      'OFFER_RELEASED',
      `the orders of offer ${offerId} were taken back and given to another rider: ${reason ? RELEASED_BECAUSE[reason] : 'offline, shift over or no position for minutes'}`,
    ),
  offerAlreadyAnswered: (offerId: string, status: 'accepted' | 'declined', by?: DeclinedBy): CodedError =>
    codedError(
      'conflict',
      'OFFER_ALREADY_ANSWERED',
      by === 'going_offline'
        ? `offer ${offerId} was declined when you went offline`
        : by === 'rider'
          ? `offer ${offerId} was already declined by you`
          : `offer ${offerId} was already ${status}`,
    ),
  orderNotFound: (orderId: string): CodedError =>
    codedError(
      'not_found',
      'ORDER_NOT_FOUND',
      // Dispatch sees an order from the merchant's accept on, and forgets finished ones after
      // DISPATCH_RETENTION_HOURS (retention).
      `dispatch knows no order ${orderId} (not accepted yet, or finished and purged after retention?)`,
    ),
  orderNotHeld: (orderId: string): CodedError =>
    codedError('forbidden', 'ORDER_NOT_HELD', `order ${orderId} is not assigned to this rider`),
  orderReleased: (orderId: string, reason: ReleaseReason): CodedError =>
    codedError(
      'conflict',
      'ORDER_RELEASED',
      `order ${orderId} was taken back from you, do not collect it: ${RELEASED_BECAUSE[reason]}`,
    ),
  orderNotReady: (orderId: string): CodedError =>
    codedError('conflict', 'ORDER_NOT_READY', `order ${orderId} is not marked ready by the merchant yet`),
  orderNotPickedUp: (orderId: string): CodedError =>
    codedError('conflict', 'ORDER_NOT_PICKED_UP', `order ${orderId} must be picked up before delivery`),
  notAtPickup: (orderId: string, distanceM: number, maxM: number): CodedError =>
    codedError(
      'conflict',
      'NOT_AT_PICKUP',
      `your last position is ${distanceM} m from the restaurant of order ${orderId}; pickups are confirmed within ${maxM} m`,
    ),
  notAtDropoff: (orderId: string, distanceM: number, maxM: number): CodedError =>
    codedError(
      'conflict',
      'NOT_AT_DROPOFF',
      `your last position is ${distanceM} m from the drop-off of order ${orderId}; deliveries are confirmed within ${maxM} m`,
    ),
  orderCancelPending: (orderId: string): CodedError =>
    codedError(
      'conflict',
      'ORDER_CANCEL_PENDING',
      `the customer is cancelling order ${orderId}: do not take it; ask again in a few seconds`,
    ),
  orderPickedUp: (orderId: string): CodedError =>
    codedError('conflict', 'ORDER_PICKED_UP', `order ${orderId} is already with its rider`),
  orderCancelled: (orderId: string): CodedError =>
    codedError('conflict', 'ORDER_CANCELLED', `order ${orderId} was cancelled`),
} as const;
