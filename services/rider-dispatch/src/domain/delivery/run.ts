import type { LatLng } from '../geo/projection.ts';
import type { DispatchOrder, Offer } from './model.ts';
import type { ReleaseReason } from './release.ts';

/**
 * What a rider app needs to show about its offer and its current run: where each order goes
 * (docs/dispatch-service.md#the-riders-run).
 */

/**
 * Where the rider collects an order and whether the food is ready: in a bundle mixing a ready and
 * a cooking order the rider should not learn it from ORDER_NOT_READY at the counter.
 */
export interface Collection {
  readonly merchantId: string;
  /** The restaurant as the rider looks for it; '' when the order carries none. */
  readonly merchantName: string;
  readonly pickupAddress: string;
  /** Marked ready for pickup by the merchant. */
  readonly ready: boolean;
  /** The merchant's estimate from acceptance (still there once ready). */
  readonly expectedReadyAt: Date;
}

/** One order of an offer, with the drop-off the rider decides on. */
export interface OfferOrder extends Collection {
  readonly orderId: string;
  /** 0-based position in the offer's delivery sequence (the index in `Offer.orderIds`). */
  readonly sequence: number;
  readonly dropoff: LatLng;
  readonly dropoffAddress: string;
  /** Cancelled upstream after the offer was made: nothing to deliver. */
  readonly cancelled: boolean;
}

export type OfferDetails = Offer & { readonly orders: readonly OfferOrder[] };

/**
 * The offer's orders in its delivery sequence. An order dispatch no longer has (purged after the
 * retention, long after any offer could be shown) is left out rather than invented.
 */
export function offerDetails(
  offer: Offer,
  orders: readonly Pick<
    DispatchOrder,
    | 'orderId'
    | 'dropoff'
    | 'dropoffAddress'
    | 'state'
    | 'offerId'
    | 'merchantId'
    | 'merchantName'
    | 'pickupAddress'
    | 'ready'
    | 'expectedReadyAt'
  >[],
): OfferDetails {
  // An accepted offer shows only the orders still on it: one taken back from the rider (ADR 0013)
  // is another rider's now, drop-off address included.
  const byId = new Map(
    orders
      .filter((o) => offer.status !== 'accepted' || o.offerId === offer.offerId)
      .map((o) => [o.orderId, o]),
  );
  return {
    ...offer,
    orders: offer.orderIds.flatMap((orderId, sequence) => {
      const o = byId.get(orderId);
      return o
        ? [
            {
              orderId,
              sequence,
              dropoff: o.dropoff,
              dropoffAddress: o.dropoffAddress,
              cancelled: o.state === 'cancelled',
              merchantId: o.merchantId,
              merchantName: o.merchantName,
              pickupAddress: o.pickupAddress,
              ready: o.ready,
              expectedReadyAt: o.expectedReadyAt,
            },
          ]
        : [];
    }),
  };
}

/** Where an order of a rider's run stands. */
export type RunOrderState = 'assigned' | 'picked_up' | 'cancelled' | 'released';

/** An order the rider accepted and has not finished, or that was cancelled while they held it. */
export interface RunOrder extends Collection {
  readonly orderId: string;
  readonly state: RunOrderState;
  /** The accepted offer that made it the rider's. */
  readonly offerId: string;
  /** 0-based position in that offer's delivery sequence. */
  readonly sequence: number;
  readonly pickup: LatLng;
  /** Undefined (and the address empty) once `released`: the order is someone else's now. */
  readonly dropoff: LatLng | undefined;
  readonly dropoffAddress: string;
  /** When the rider accepted the offer. */
  readonly assignedAt: Date;
  readonly pickedUpAt: Date | undefined;
  /** When dispatch learnt of the cancellation (state `cancelled` only). */
  readonly cancelledAt: Date | undefined;
  /** When and why it was taken back from the rider (state `released` only, ADR 0013). */
  readonly releasedAt?: Date | undefined;
  readonly releaseReason?: ReleaseReason | undefined;
}

/**
 * How long an order cancelled in a rider's hands stays in their run, marked cancelled: long
 * enough for an app that was closed or offline to learn it on its next look (instead of from a
 * 409 ORDER_CANCELLED at the door), short enough not to clutter the list for the shift.
 */
export const CANCELLED_VISIBLE_MS = 30 * 60_000;

/**
 * How long an order taken back from a rider (ADR 0013) stays in their run, marked released: as
 * long as a cancelled one, for the same reason (an app that was closed, offline or silent learns
 * it on its next look instead of from the counter).
 */
export const RELEASED_VISIBLE_MS = CANCELLED_VISIBLE_MS;
