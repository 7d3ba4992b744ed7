import type { QueryResult, QueryResultRow } from 'pg';
import type { KitchenOrder, KitchenState } from '../domain/kitchen.ts';
import type { PricedLine, ReservationState } from '../domain/reservation.ts';
import type { ManualStatus, MenuItem, Merchant, OpeningWindow } from '../domain/types.ts';
import type { Reservation } from '../app/ports.ts';

/** A pool or a client inside a transaction: whatever runs the next statement. */
export interface Sql {
  query<R extends QueryResultRow>(text: string, values?: unknown[]): Promise<QueryResult<R>>;
  /** A named statement: prepared once per connection (hot paths). */
  query<R extends QueryResultRow>(config: {
    name: string;
    text: string;
    values: unknown[];
  }): Promise<QueryResult<R>>;
}

export interface MerchantRow {
  id: string;
  name: string;
  lat: number;
  lng: number;
  time_zone: string;
  opening_hours: OpeningWindow[];
  manual_status: ManualStatus;
  auto_paused: boolean;
  kitchen_capacity: number;
  auto_pause_backlog: number;
  base_prep_seconds: number;
  currency: string;
  delivery_radius_m: number;
  address: string | null;
  backlog: number;
}

export const MERCHANT_COLUMNS = `id, name, lat, lng, time_zone, opening_hours, manual_status, auto_paused,
  kitchen_capacity, auto_pause_backlog, base_prep_seconds, currency, delivery_radius_m, address, backlog`;

export const toMerchant = (r: MerchantRow): Merchant => ({
  id: r.id,
  name: r.name,
  location: { lat: r.lat, lng: r.lng },
  timeZone: r.time_zone,
  openingHours: r.opening_hours,
  manualStatus: r.manual_status,
  autoPaused: r.auto_paused,
  kitchenCapacity: r.kitchen_capacity,
  autoPauseBacklog: r.auto_pause_backlog,
  basePrepSeconds: r.base_prep_seconds,
  currency: r.currency,
  deliveryRadiusM: r.delivery_radius_m,
  address: r.address ?? '',
  backlog: r.backlog,
});

export interface ItemRow {
  id: string;
  merchant_id: string;
  name: string;
  description: string;
  // bigint arrives as a string (pg does not guess at precision); prices stay far below 2^53.
  price_minor: string;
  currency: string;
  stock: number;
  available: boolean;
}

export const ITEM_COLUMNS = 'id, merchant_id, name, description, price_minor, currency, stock, available';

export const toItem = (r: ItemRow): MenuItem => ({
  id: r.id,
  merchantId: r.merchant_id,
  name: r.name,
  description: r.description,
  priceMinor: Number(r.price_minor),
  currency: r.currency,
  stock: r.stock,
  available: r.available,
});

export interface ReservationRow {
  order_id: string;
  merchant_id: string;
  state: ReservationState;
  lines: PricedLine[];
  total_minor: string;
  currency: string;
  lat: number;
  lng: number;
  prep_estimate_seconds: number;
  reserved_until: Date;
  merchant_name: string | null;
  pickup_address: string | null;
}

export const RESERVATION_COLUMNS = `order_id, merchant_id, state, lines, total_minor, currency, lat, lng,
  prep_estimate_seconds, reserved_until, merchant_name, pickup_address`;

export const toReservation = (r: ReservationRow): Reservation => ({
  orderId: r.order_id,
  merchantId: r.merchant_id,
  state: r.state,
  lines: r.lines,
  totalMinor: Number(r.total_minor),
  currency: r.currency,
  location: { lat: r.lat, lng: r.lng },
  prepEstimateSeconds: r.prep_estimate_seconds,
  reservedUntil: r.reserved_until,
  // NULL: reserved before the restaurant was stored with it (see the replay in reservations.ts).
  merchantName: r.merchant_name ?? undefined,
  pickupAddress: r.pickup_address ?? undefined,
});

export interface KitchenRow {
  order_id: string;
  merchant_id: string;
  state: KitchenState;
  version: number;
}

export const toKitchenOrder = (r: KitchenRow): KitchenOrder => ({
  orderId: r.order_id,
  merchantId: r.merchant_id,
  state: r.state,
  version: r.version,
});
