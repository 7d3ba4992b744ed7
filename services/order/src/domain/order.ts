/** The order aggregate as the domain sees it: plain data, no I/O. */

export const ORDER_STATES = [
  'PLACED',
  'ACCEPTED',
  'READY_FOR_PICKUP',
  'RIDER_ASSIGNED',
  'PICKED_UP',
  'DELIVERED',
  'REJECTED',
  'CANCELLED',
] as const;
export type OrderState = (typeof ORDER_STATES)[number];

export const TERMINAL_STATES: ReadonlySet<OrderState> = new Set(['DELIVERED', 'REJECTED', 'CANCELLED']);

export type ActorRole = 'customer' | 'merchant' | 'rider' | 'ops' | 'system';
export interface Actor {
  readonly role: ActorRole;
  readonly id: string;
}

export interface Money {
  readonly amountMinor: number;
  readonly currency: string;
}

export interface GeoPoint {
  readonly lat: number;
  readonly lng: number;
}

export interface OrderLine {
  readonly itemId: string;
  readonly name: string;
  readonly quantity: number;
  readonly unitPrice: Money;
  readonly lineTotal: Money;
}

export interface Order {
  readonly id: string;
  readonly customerId: string;
  readonly merchantId: string;
  readonly state: OrderState;
  readonly lines: readonly OrderLine[];
  readonly total: Money;
  readonly pickup: GeoPoint;
  /**
   * The restaurant as riders look for it, copied at placement like pickup. Undefined for orders
   * placed before the copy existed or against a merchant service that did not send it, and the
   * address also when the merchant has none.
   */
  readonly merchantName: string | undefined;
  readonly pickupAddress: string | undefined;
  readonly dropoff: GeoPoint;
  readonly dropoffAddress: string;
  readonly placedAt: Date;
  readonly updatedAt: Date;
  /** The merchant must accept before this instant or the order is rejected automatically. */
  readonly acceptBy: Date;
  readonly expectedReadyAt: Date | undefined;
  readonly promisedAt: Date;
  readonly riderId: string | undefined;
  /**
   * When `riderId` accepted, as dispatch stated it; undefined when nobody said (an ops assignment,
   * an implied one, a dispatch release before RiderAssigned carried it). Not part of the snapshot:
   * it only orders assignments (docs/kafka.md#facts-ahead-of-the-order).
   */
  readonly riderAssignedAt: Date | undefined;
  /** Reason code of a rejection or cancellation. */
  readonly reason: string | undefined;
  readonly version: number;
}

/** One state change, as recorded in the timeline and published as OrderStateChanged. */
export interface StateChange {
  readonly from: OrderState | undefined;
  readonly to: OrderState;
  readonly actor: Actor;
  readonly reason: string | undefined;
  readonly at: Date;
}

export interface Refund {
  readonly orderId: string;
  readonly customerId: string;
  readonly amount: Money;
  readonly reason: string;
}
