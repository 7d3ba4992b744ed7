/** Values shared by the merchant rules. Plain data: the app maps them to and from proto and SQL. */

export interface GeoPoint {
  readonly lat: number;
  readonly lng: number;
}

/** Local time of the merchant; minutes from midnight, day 0 = Monday (as in the proto). */
export interface OpeningWindow {
  readonly dayOfWeek: number;
  readonly openMinute: number;
  /** Up to 1440; a close before the open runs past midnight into the next day. */
  readonly closeMinute: number;
}

/** What the merchant chose; AUTO_PAUSED and CLOSED are computed (see merchant-status.ts). */
export type ManualStatus = 'OPEN' | 'PAUSED';
export type MerchantStatus = 'OPEN' | 'PAUSED' | 'AUTO_PAUSED' | 'CLOSED';

export interface Merchant {
  readonly id: string;
  readonly name: string;
  readonly location: GeoPoint;
  readonly timeZone: string;
  readonly openingHours: readonly OpeningWindow[];
  readonly manualStatus: ManualStatus;
  readonly autoPaused: boolean;
  readonly kitchenCapacity: number;
  /** Backlog at which the platform pauses the merchant; 0 turns auto-pause off. */
  readonly autoPauseBacklog: number;
  readonly basePrepSeconds: number;
  readonly currency: string;
  /** Farthest drop-off the merchant delivers to, great-circle metres from its location. */
  readonly deliveryRadiusM: number;
  /** Street address riders are sent to; '' when none was given. */
  readonly address: string;
  /** Orders accepted and not yet ready. */
  readonly backlog: number;
}

export interface MenuItem {
  readonly id: string;
  readonly merchantId: string;
  readonly name: string;
  readonly description: string;
  readonly priceMinor: number;
  readonly currency: string;
  readonly stock: number;
  readonly available: boolean;
}

/** The order service's states (order.v1), by name: the merchant only reads them. */
export type OrderState =
  | 'PLACED'
  | 'ACCEPTED'
  | 'READY_FOR_PICKUP'
  | 'RIDER_ASSIGNED'
  | 'PICKED_UP'
  | 'DELIVERED'
  | 'REJECTED'
  | 'CANCELLED';
