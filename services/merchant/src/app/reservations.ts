import { err, ok, type CodedError, type Result } from '@mealpeak/core';
import { Errors } from '../domain/errors.ts';
import { deliveryAreaRefusal } from '../domain/delivery-area.ts';
import { validatePoint } from '../domain/geo.ts';
import { refusalFor, statusAt } from '../domain/merchant-status.ts';
import { validateId } from '../domain/merchant-profile.ts';
import {
  inLockOrder,
  priceLines,
  sameRequest,
  stockExhausted,
  type LineInput,
} from '../domain/reservation.ts';
import type { GeoPoint, Merchant } from '../domain/types.ts';
import type { UseCaseDeps } from './deps.ts';
import type { Reservation } from './ports.ts';
import { releaseReservation } from './release.ts';
import { createCatalogueCache } from './catalogue-cache.ts';
import { transactResult } from './transact.ts';
import { prepEstimateOf } from './views.ts';
import { createZoneWarning } from './zone-warning.ts';

export interface ReserveStockInput {
  readonly orderId: string;
  readonly merchantId: string;
  readonly lines: readonly LineInput[];
  /** Where the order goes; undefined skips the delivery-area check (see deliveryAreaRefusal). */
  readonly dropoff?: GeoPoint | undefined;
}

/**
 * A reservation with the restaurant as riders look for it, which the order copies (like the
 * location). Stored with the reservation, so a replay answers the place and its name as they were.
 */
export interface ReservedStock extends Reservation {
  readonly merchantName: string;
  /** '' when the merchant has no address. */
  readonly pickupAddress: string;
}

const restaurantOf = (merchant: Merchant | undefined) => ({
  merchantName: merchant?.name ?? '',
  pickupAddress: merchant?.address ?? '',
});

/**
 * A repeated ReserveStock gets the first answer, if it asks the same thing and nothing was released.
 * A reservation from before the restaurant was stored with it (merchant migration 0010) has none:
 * it is named as the merchant is now.
 */
function replay(
  existing: Reservation,
  input: ReserveStockInput,
  merchant: Merchant | undefined,
): Result<ReservedStock, CodedError> {
  if (existing.state === 'released') return err(Errors.reservationReleased(input.orderId));
  if (!sameRequest(existing, input.merchantId, input.lines))
    return err(Errors.reservationMismatch(input.orderId));
  const named = restaurantOf(merchant);
  return ok({
    ...existing,
    merchantName: existing.merchantName ?? named.merchantName,
    pickupAddress: existing.pickupAddress ?? named.pickupAddress,
  });
}

export function reservationUseCases({
  store,
  clock,
  settings,
  logger,
  catalogue: cache,
  warnIfZoneUnusable,
}: UseCaseDeps) {
  const catalogue = cache ?? createCatalogueCache(store.repo, 0);
  const warnZone = warnIfZoneUnusable ?? createZoneWarning(logger);
  return {
    /**
     * ADR 0006 step 1. Idempotent on the order id: the reservation row is inserted before any stock
     * is taken, so a concurrent duplicate waits on its key and then replays the committed result.
     * Stock is taken line by line in item-id order with a conditional decrement: no oversell, no
     * deadlock; one short line rolls back the whole reservation.
     */
    async reserveStock(input: ReserveStockInput): Promise<Result<ReservedStock, CodedError>> {
      const invalid = [
        ...validateId(input.orderId, 'order_id'),
        ...validateId(input.merchantId, 'merchant_id'),
        ...(input.dropoff ? validatePoint(input.dropoff, 'dropoff') : []),
      ];
      if (invalid.length > 0) return err(Errors.invalidArgument(invalid));

      // Merchant and items come from a short-lived cache (status, opening and names may be a
      // second old); stock and prices never do: the statement takes stock only at the price the
      // lines were priced at, and a changed price re-prices from the database (slow path).
      const now = clock.now();
      const merchant = await catalogue.merchant(input.merchantId);
      if (!merchant) {
        const existing = await store.repo.getReservation(input.orderId);
        return existing ? replay(existing, input, undefined) : err(Errors.merchantNotFound(input.merchantId));
      }
      warnZone(merchant);
      const refusal = refusalFor(statusAt(merchant, now)) ?? deliveryAreaRefusal(merchant, input.dropoff);
      if (refusal) {
        const existing = await store.repo.getReservation(input.orderId);
        return existing ? replay(existing, input, merchant) : err(refusal);
      }
      const items = await catalogue.items([...new Set(input.lines.map((l) => l.itemId))]);
      const priced = priceLines(
        merchant.id,
        merchant.currency,
        input.lines,
        new Map(items.map((i) => [i.id, i])),
      );
      if (!priced.ok) return priced;

      const reservation: ReservedStock = {
        orderId: input.orderId,
        merchantId: merchant.id,
        state: 'tentative',
        ...priced.value,
        location: merchant.location,
        prepEstimateSeconds: prepEstimateOf(merchant),
        reservedUntil: new Date(now.getTime() + settings.reservationTtlSeconds * 1000),
        ...restaurantOf(merchant),
      };
      // Fast path: one statement. Anything but a clean reservation takes the slow path below,
      // which re-reads everything and says exactly what is wrong (or replays the first answer).
      const fast = await store.repo.reserveAtomically(reservation, input.lines);
      if (fast === 'reserved') return ok(reservation);
      const existing = await store.repo.getReservation(input.orderId);
      if (existing) return replay(existing, input, merchant);
      const fresh = await store.repo.getItems([...new Set(input.lines.map((l) => l.itemId))]);
      const repriced = priceLines(
        merchant.id,
        merchant.currency,
        input.lines,
        new Map(fresh.map((i) => [i.id, i])),
      );
      if (!repriced.ok) return repriced;
      // Priced again from the database: the cached price may be a second old.
      const current: ReservedStock = { ...reservation, ...repriced.value };
      return transactResult(store, async (tx) => {
        if (!(await tx.insertReservation(current))) {
          const committed = await tx.getReservation(input.orderId);
          if (!committed) throw new Error(`reservation ${input.orderId} conflicted but cannot be read`);
          return replay(committed, input, merchant);
        }
        const short: number[] = [];
        const indexed = input.lines.map((line, index) => ({ ...line, index }));
        for (const line of inLockOrder(indexed))
          if (!(await tx.takeStock(line.itemId, line.quantity))) short.push(line.index);
        if (short.length > 0) return err(stockExhausted(short.sort((a, b) => a - b)));
        return ok(current);
      });
    },

    /** ADR 0006 step 3 (compensation). Releasing twice, or an unknown order, restores nothing. */
    async releaseStock(input: {
      orderId: string;
      reason: string;
    }): Promise<Result<{ released: boolean }, CodedError>> {
      const invalid = validateId(input.orderId, 'order_id');
      if (invalid.length > 0) return err(Errors.invalidArgument(invalid));
      const reason = input.reason.trim() || 'RELEASED_BY_ORDER_SERVICE';
      const released = await store.transaction((tx) =>
        releaseReservation(tx, input.orderId, reason.slice(0, 200), clock.now()),
      );
      return ok({ released });
    },
  };
}
