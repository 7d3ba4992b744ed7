import type {
  DeclinedBy,
  DispatchOrder,
  DispatchOrderState,
  Offer,
  OfferStatus,
  Rider,
  RiderStatus,
} from '../domain/delivery/model.ts';

/** Row shapes of the dispatch schema and their mapping to the domain. */
export interface OrderRow {
  order_id: string;
  zone: string;
  merchant_id: string;
  customer_id: string;
  pickup_lat: number;
  pickup_lng: number;
  dropoff_lat: number;
  dropoff_lng: number;
  dropoff_address: string;
  merchant_name: string | null;
  pickup_address: string | null;
  placed_at: Date;
  expected_ready_at: Date;
  promised_at: Date;
  ready: boolean;
  state: DispatchOrderState;
  rider_id: string | null;
  offer_id: string | null;
  sequence: number | null;
  order_version: number;
  picked_up_at: Date | null;
  delivered_at: Date | null;
  cancel_hold_until: Date | null;
}

export const ORDER_COLUMNS = `order_id, zone, merchant_id, customer_id, pickup_lat, pickup_lng, dropoff_lat,
  dropoff_lng, dropoff_address, placed_at, expected_ready_at, promised_at, ready, state, rider_id, offer_id, sequence,
  order_version, picked_up_at, delivered_at, cancel_hold_until, merchant_name, pickup_address`;

export const rowToOrder = (r: OrderRow): DispatchOrder => ({
  orderId: r.order_id,
  zone: r.zone,
  merchantId: r.merchant_id,
  customerId: r.customer_id,
  pickup: { lat: r.pickup_lat, lng: r.pickup_lng },
  dropoff: { lat: r.dropoff_lat, lng: r.dropoff_lng },
  dropoffAddress: r.dropoff_address,
  merchantName: r.merchant_name ?? '',
  pickupAddress: r.pickup_address ?? '',
  placedAt: r.placed_at,
  expectedReadyAt: r.expected_ready_at,
  promisedAt: r.promised_at,
  ready: r.ready,
  state: r.state,
  riderId: r.rider_id ?? undefined,
  offerId: r.offer_id ?? undefined,
  sequence: r.sequence ?? undefined,
  version: r.order_version,
  pickedUpAt: r.picked_up_at ?? undefined,
  deliveredAt: r.delivered_at ?? undefined,
  cancelHoldUntil: r.cancel_hold_until ?? undefined,
});

export interface RiderRow {
  rider_id: string;
  online: boolean;
  status: RiderStatus;
  offline_requested: boolean;
  shift_ends_at: Date;
  busy_until: Date | null;
  free_lat: number | null;
  free_lng: number | null;
  silent_since: Date | null;
}

export const RIDER_COLUMNS =
  'rider_id, online, status, offline_requested, shift_ends_at, busy_until, free_lat, free_lng, silent_since';

export const rowToRider = (r: RiderRow): Rider => ({
  riderId: r.rider_id,
  online: r.online,
  status: r.status,
  offlineRequested: r.offline_requested,
  shiftEndsAt: r.shift_ends_at,
  busyUntil: r.busy_until ?? undefined,
  freePosition: r.free_lat !== null && r.free_lng !== null ? { lat: r.free_lat, lng: r.free_lng } : undefined,
  silentSince: r.silent_since ?? undefined,
});

export interface OfferRow {
  offer_id: string;
  rider_id: string;
  order_ids: string[];
  zone: string;
  status: OfferStatus;
  pickup_lat: number;
  pickup_lng: number;
  planned_pickup_at: Date;
  created_at: Date;
  expires_at: Date;
  replica_id: string;
  declined_by: DeclinedBy | null;
}

export const OFFER_COLUMNS = `offer_id, rider_id, order_ids, zone, status, pickup_lat, pickup_lng,
  planned_pickup_at, created_at, expires_at, replica_id, declined_by`;

export const rowToOffer = (r: OfferRow): Offer => ({
  offerId: r.offer_id,
  riderId: r.rider_id,
  orderIds: r.order_ids,
  zone: r.zone,
  status: r.status,
  pickup: { lat: r.pickup_lat, lng: r.pickup_lng },
  plannedPickupAt: r.planned_pickup_at,
  createdAt: r.created_at,
  expiresAt: r.expires_at,
  replicaId: r.replica_id,
  declinedBy: r.declined_by ?? undefined,
});
