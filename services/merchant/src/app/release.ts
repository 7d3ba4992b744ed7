import { inLockOrder, type ReservationState } from '../domain/reservation.ts';
import type { Repo, Reservation } from './ports.ts';

/** Reservations that still hold stock. */
export const HELD: readonly ReservationState[] = ['tentative', 'confirmed'];

const tombstone = (orderId: string, now: Date): Reservation => ({
  orderId,
  merchantId: '',
  state: 'released',
  lines: [],
  totalMinor: 0,
  currency: '',
  location: { lat: 0, lng: 0 },
  prepEstimateSeconds: 0,
  reservedUntil: now,
});

/**
 * Releases the reservation of `orderId` in `tx` and puts its stock back, exactly once: only the
 * transaction that moves it out of a held state restores stock. Returns whether this call did.
 *
 * When there is no reservation yet, a released tombstone is stored instead, so that a ReserveStock
 * still in flight (the order service gave up on it and compensates) cannot hold stock afterwards.
 * If that insert meets a reservation committed in the meantime, the release is tried once more.
 */
export async function releaseReservation(
  tx: Repo,
  orderId: string,
  reason: string,
  now: Date,
  from: readonly ReservationState[] = HELD,
): Promise<boolean> {
  for (let attempt = 0; attempt < 2; attempt++) {
    const released = await tx.transitionReservation(orderId, from, 'released', reason);
    if (released) {
      for (const line of inLockOrder(released.lines)) await tx.returnStock(line.itemId, line.quantity);
      return true;
    }
    if (await tx.getReservation(orderId)) return false;
    if (await tx.insertReservation(tombstone(orderId, now))) return false;
  }
  return false;
}
