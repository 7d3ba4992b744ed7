import {
  err,
  greatCircleMetres,
  isUuid,
  ok,
  textProblem,
  type CodedError,
  type FieldError,
  type Result,
} from '@mealpeak/core';
import { OrderErrors } from './errors.ts';
import type { GeoPoint, Money, Order, OrderLine, StateChange } from './order.ts';

export interface PlaceOrderInput {
  readonly orderId: string;
  readonly customerId: string;
  readonly merchantId: string;
  readonly lines: readonly { readonly itemId: string; readonly quantity: number }[];
  readonly dropoff: GeoPoint | undefined;
  readonly dropoffAddress: string;
}

/** What the merchant confirmed when it reserved the stock: its own prices, never the client's. */
export interface Reservation {
  readonly lines: readonly OrderLine[];
  readonly total: Money;
  readonly pickup: GeoPoint;
  /** '' when the merchant did not say (a merchant release before the field, no address on file). */
  readonly merchantName: string;
  readonly pickupAddress: string;
  readonly prepEstimateSeconds: number;
  /** Until when the merchant holds the stock; undefined from a merchant that does not say. */
  readonly reservedUntil?: Date | undefined;
}

/**
 * How long before the merchant's hold ends the order must be stored, or not at all. The merchant's
 * sweeper releases a hold still unconfirmed at its end if the order service does not know the
 * order then; an order committed after that would hold no stock. The insert is refused once
 * `reservedUntil - STORE_MARGIN_MS` has passed by the database's clock, so it commits (statement
 * timeout 5 s) well before the hold ends, with room for clock skew between the hosts.
 */
export const STORE_MARGIN_MS = 15_000;

/** The latest moment the order may be stored, or undefined when the merchant gave no hold end. */
export const storeDeadline = (reservation: Pick<Reservation, 'reservedUntil'>): Date | undefined =>
  reservation.reservedUntil && new Date(reservation.reservedUntil.getTime() - STORE_MARGIN_MS);

export interface PlacementPolicy {
  /** How long the merchant has to accept before the order is rejected automatically. */
  readonly acceptTimeoutSeconds: number;
  /** Added to preparation and ride: acceptance, the rider's way to the merchant, handover. */
  readonly promiseMarginSeconds: number;
  /** Straight-line speed of the ride from merchant to drop-off (dispatch's travel model's too). */
  readonly riderSpeedMps: number;
}

/**
 * When delivery is promised, from placement: the preparation time the merchant quoted at the
 * reservation (it grows with the kitchen's backlog, so a busy kitchen at the lunch peak promises
 * later instead of breaking a fixed promise), the ride from merchant to drop-off, and the margin;
 * rounded up to a whole minute, as a customer is told. Dispatch counts lateness against it.
 */
export function promiseFor(
  placedAt: Date,
  reservation: Pick<Reservation, 'prepEstimateSeconds' | 'pickup'>,
  dropoff: GeoPoint,
  policy: PlacementPolicy,
): Date {
  const rideSeconds = greatCircleMetres(reservation.pickup, dropoff) / policy.riderSpeedMps;
  const seconds = reservation.prepEstimateSeconds + rideSeconds + policy.promiseMarginSeconds;
  return new Date(placedAt.getTime() + Math.ceil(seconds / 60) * 60_000);
}

export const MAX_LINES = 50;
export const MAX_QUANTITY = 99;

const validPoint = (p: GeoPoint | undefined): p is GeoPoint =>
  !!p && Number.isFinite(p.lat) && Number.isFinite(p.lng) && Math.abs(p.lat) <= 90 && Math.abs(p.lng) <= 180;

/** Checks what can be checked without the merchant; every bad field is reported at once. */
export function validatePlacement(input: PlaceOrderInput): Result<PlaceOrderInput, CodedError> {
  const fields: FieldError[] = [];
  if (!isUuid(input.orderId)) fields.push({ field: 'orderId', message: 'must be a UUID' });
  if (!input.customerId) fields.push({ field: 'customerId', message: 'is required' });
  if (!input.merchantId) fields.push({ field: 'merchantId', message: 'is required' });
  if (input.lines.length === 0) fields.push({ field: 'lines', message: 'needs at least one line' });
  if (input.lines.length > MAX_LINES)
    fields.push({ field: 'lines', message: `has more than ${MAX_LINES} lines` });
  const seen = new Set<string>();
  input.lines.forEach((line, i) => {
    if (!line.itemId) fields.push({ field: `lines[${i}].itemId`, message: 'is required' });
    else if (seen.has(line.itemId))
      fields.push({ field: `lines[${i}].itemId`, message: 'appears twice; add the quantities' });
    seen.add(line.itemId);
    if (!Number.isInteger(line.quantity) || line.quantity < 1 || line.quantity > MAX_QUANTITY) {
      fields.push({ field: `lines[${i}].quantity`, message: `must be a whole number in 1..${MAX_QUANTITY}` });
    }
  });
  if (!validPoint(input.dropoff))
    fields.push({ field: 'dropoff', message: 'needs lat in -90..90 and lng in -180..180' });
  const address = textProblem(input.dropoffAddress, 500);
  if (address) fields.push({ field: 'dropoffAddress', message: address });
  return fields.length ? err(OrderErrors.invalid(fields)) : ok(input);
}

/** The new order and its first timeline entry, from validated input and the merchant's reservation. */
export function newOrder(
  input: PlaceOrderInput,
  reservation: Reservation,
  policy: PlacementPolicy,
  now: Date,
): { order: Order; change: StateChange } {
  const order: Order = {
    id: input.orderId,
    customerId: input.customerId,
    merchantId: input.merchantId,
    state: 'PLACED',
    lines: reservation.lines,
    total: reservation.total,
    pickup: reservation.pickup,
    merchantName: reservation.merchantName || undefined,
    pickupAddress: reservation.pickupAddress || undefined,
    dropoff: input.dropoff!,
    dropoffAddress: input.dropoffAddress,
    placedAt: now,
    updatedAt: now,
    acceptBy: new Date(now.getTime() + policy.acceptTimeoutSeconds * 1000),
    expectedReadyAt: undefined,
    promisedAt: promiseFor(now, reservation, input.dropoff!, policy),
    riderId: undefined,
    riderAssignedAt: undefined,
    reason: undefined,
    version: 1,
  };
  return {
    order,
    change: {
      from: undefined,
      to: 'PLACED',
      actor: { role: 'customer', id: input.customerId },
      reason: undefined,
      at: now,
    },
  };
}

/** Same order id placed again: only a true repeat (same customer, merchant and lines) is accepted. */
export function isSamePlacement(existing: Order, input: PlaceOrderInput): boolean {
  if (existing.customerId !== input.customerId || existing.merchantId !== input.merchantId) return false;
  const wanted = [...input.lines].map((l) => `${l.itemId}x${l.quantity}`).sort();
  const have = existing.lines.map((l) => `${l.itemId}x${l.quantity}`).sort();
  return wanted.join(',') === have.join(',');
}
