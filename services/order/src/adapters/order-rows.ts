import type { Order, OrderLine, OrderState, StateChange, ActorRole } from '../domain/order.ts';

/** Row shapes of the orders schema and their mapping to the domain. */
export interface OrderRow {
  id: string;
  customer_id: string;
  merchant_id: string;
  state: OrderState;
  lines: OrderLine[];
  total_minor: string;
  currency: string;
  pickup_lat: number;
  pickup_lng: number;
  dropoff_lat: number;
  dropoff_lng: number;
  dropoff_address: string;
  placed_at: Date;
  updated_at: Date;
  accept_by: Date;
  expected_ready_at: Date | null;
  promised_at: Date;
  rider_id: string | null;
  rider_assigned_at: Date | null;
  reason: string | null;
  version: number;
  merchant_name: string | null;
  pickup_address: string | null;
}

export const ORDER_COLUMNS = `id, customer_id, merchant_id, state, lines, total_minor, currency, pickup_lat, pickup_lng,
  dropoff_lat, dropoff_lng, dropoff_address, placed_at, updated_at, accept_by, expected_ready_at, promised_at,
  rider_id, rider_assigned_at, reason, version, merchant_name, pickup_address`;

export const rowToOrder = (r: OrderRow): Order => ({
  id: r.id,
  customerId: r.customer_id,
  merchantId: r.merchant_id,
  state: r.state,
  lines: r.lines,
  total: { amountMinor: Number(r.total_minor), currency: r.currency },
  pickup: { lat: r.pickup_lat, lng: r.pickup_lng },
  merchantName: r.merchant_name ?? undefined,
  pickupAddress: r.pickup_address ?? undefined,
  dropoff: { lat: r.dropoff_lat, lng: r.dropoff_lng },
  dropoffAddress: r.dropoff_address,
  placedAt: r.placed_at,
  updatedAt: r.updated_at,
  acceptBy: r.accept_by,
  expectedReadyAt: r.expected_ready_at ?? undefined,
  promisedAt: r.promised_at,
  riderId: r.rider_id ?? undefined,
  riderAssignedAt: r.rider_assigned_at ?? undefined,
  reason: r.reason ?? undefined,
  version: r.version,
});

/** Positional parameters for ORDER_COLUMNS, in that order. */
export const orderParams = (o: Order): unknown[] => [
  o.id,
  o.customerId,
  o.merchantId,
  o.state,
  JSON.stringify(o.lines),
  o.total.amountMinor,
  o.total.currency,
  o.pickup.lat,
  o.pickup.lng,
  o.dropoff.lat,
  o.dropoff.lng,
  o.dropoffAddress,
  o.placedAt,
  o.updatedAt,
  o.acceptBy,
  o.expectedReadyAt ?? null,
  o.promisedAt,
  o.riderId ?? null,
  o.riderAssignedAt ?? null,
  o.reason ?? null,
  o.version,
  o.merchantName ?? null,
  o.pickupAddress ?? null,
];

export interface TimelineRow {
  from_state: OrderState | null;
  to_state: OrderState;
  actor_role: ActorRole;
  actor_id: string;
  reason: string | null;
  at: Date;
}

export const rowToChange = (r: TimelineRow): StateChange => ({
  from: r.from_state ?? undefined,
  to: r.to_state,
  actor: { role: r.actor_role, id: r.actor_id },
  reason: r.reason ?? undefined,
  at: r.at,
});
