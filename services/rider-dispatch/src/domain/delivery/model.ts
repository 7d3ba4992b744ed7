import type { LatLng } from '../geo/projection.ts';
import type { HandoverCheck } from './handover.ts';

/**
 * Dispatch's own view of orders, riders and offers (docs/dispatch-service.md#state). The order
 * service owns the order's lifecycle (docs/adr/0006); these states only say where dispatch is.
 */
export type DispatchOrderState = 'waiting' | 'offered' | 'assigned' | 'picked_up' | 'delivered' | 'cancelled';
export type RiderStatus = 'idle' | 'offered' | 'delivering';
export type OfferStatus = 'pending' | 'accepted' | 'declined' | 'expired' | 'withdrawn';
/** Who declined a declined offer: the rider's answer, or the rider going offline with it pending. */
export type DeclinedBy = 'rider' | 'going_offline';

/** Order states as the order service names them (order.v1.OrderState without the prefix). */
export type UpstreamOrderState =
  | 'PLACED'
  | 'ACCEPTED'
  | 'READY_FOR_PICKUP'
  | 'RIDER_ASSIGNED'
  | 'PICKED_UP'
  | 'DELIVERED'
  | 'REJECTED'
  | 'CANCELLED';

export interface DispatchOrder {
  readonly orderId: string;
  readonly zone: string;
  readonly merchantId: string;
  readonly customerId: string;
  readonly pickup: LatLng;
  readonly dropoff: LatLng;
  /** As the customer typed it at placement ('' for orders stored before dispatch kept it). */
  readonly dropoffAddress: string;
  /**
   * The restaurant's name and street address as the order snapshot carries them; '' when it
   * carries none (placed before the order service copied them, merchant without an address).
   */
  readonly merchantName: string;
  readonly pickupAddress: string;
  readonly placedAt: Date;
  readonly expectedReadyAt: Date;
  readonly promisedAt: Date;
  readonly ready: boolean;
  readonly state: DispatchOrderState;
  readonly riderId: string | undefined;
  readonly offerId: string | undefined;
  readonly sequence: number | undefined;
  readonly version: number;
  readonly pickedUpAt: Date | undefined;
  readonly deliveredAt: Date | undefined;
  /** Until then a customer's cancellation is on its way: no pickup (ADR 0016). */
  readonly cancelHoldUntil?: Date | undefined;
}

export interface Rider {
  readonly riderId: string;
  readonly online: boolean;
  readonly status: RiderStatus;
  readonly offlineRequested: boolean;
  readonly shiftEndsAt: Date;
  /** Planned end of the current run, and where it ends (delivering riders only). */
  readonly busyUntil: Date | undefined;
  readonly freePosition: LatLng | undefined;
  /**
   * Since when dispatch has known the rider to be silent (no fresh position), while holding orders;
   * undefined when heard or not watched (docs/dispatch-service.md#taking-orders-back).
   */
  readonly silentSince: Date | undefined;
}

export interface Offer {
  readonly offerId: string;
  readonly riderId: string;
  /** Delivery sequence. */
  readonly orderIds: readonly string[];
  readonly zone: string;
  readonly status: OfferStatus;
  readonly pickup: LatLng;
  readonly plannedPickupAt: Date;
  readonly createdAt: Date;
  readonly expiresAt: Date;
  readonly replicaId: string;
  /** Status `declined` only; undefined for offers declined before it was recorded. */
  readonly declinedBy?: DeclinedBy | undefined;
}

/** What a replica's round claims atomically: the rider, every order of the bundle, and the offer. */
export type OfferClaim = Omit<Offer, 'status'>;

export interface Decline {
  readonly orderId: string;
  readonly riderId: string;
}

/** A fact dispatch publishes (dispatch.events.v1), written to the outbox with the change. */
export type DispatchFact =
  | {
      readonly kind: 'rider_assigned';
      readonly orderId: string;
      readonly riderId: string;
      readonly offerId: string;
      readonly sequence: number;
      readonly etaPickup: Date;
      /** When the rider accepted (offers.responded_at): the later of two assignments holds. */
      readonly assignedAt: Date;
    }
  | {
      readonly kind: 'picked_up' | 'delivered';
      readonly orderId: string;
      readonly riderId: string;
      /** Where the rider was when reporting it; absent with the check off (HANDOVER_CHECK=off). */
      readonly handover?: HandoverCheck;
    };
