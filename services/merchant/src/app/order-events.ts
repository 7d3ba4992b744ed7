import type { OrderSnapshot } from '../domain/kitchen.ts';
import { sweepDecision } from '../domain/reservation.ts';
import { INBOX_CONSUMER, type UseCaseDeps } from './deps.ts';
import { applyOrderSnapshot } from './kitchen-sync.ts';
import { orderStateName } from './order-snapshot.ts';
import { releaseReservation } from './release.ts';

export interface OrderEvent {
  readonly eventId: string;
  readonly snapshot: OrderSnapshot;
  readonly reason: string;
}

export interface SweepReport {
  readonly claimed: number;
  readonly confirmed: number;
  readonly released: number;
  /** Reservations whose order could not be looked up; they are asked about again later. */
  readonly deferred: number;
}

export function orderEventUseCases({ store, orders, clock, logger, settings }: UseCaseDeps) {
  /** PLACED only confirms the reservation (no kitchen row yet): one statement does it. */
  async function confirmPlaced(event: OrderEvent): Promise<'applied' | 'duplicate' | 'placed-without-stock'> {
    const state = await store.repo.confirmPlacedOnce(INBOX_CONSUMER, event.eventId, event.snapshot.orderId);
    if (state === 'duplicate') return 'duplicate';
    // Confirmed (now or before: a repeat, or the sweeper was first) is fine; released or missing
    // means an order exists that holds no stock: the rare case docs/merchant.md describes.
    return state === 'confirmed' ? 'applied' : 'placed-without-stock';
  }

  return {
    /**
     * One OrderStateChanged, applied once: the inbox claim and every effect commit together, so a
     * redelivered event (at-least-once) finds its id claimed and changes nothing.
     */
    async applyOrderEvent(event: OrderEvent): Promise<'applied' | 'duplicate'> {
      const outcome =
        event.snapshot.state === 'PLACED'
          ? await confirmPlaced(event)
          : await store.transaction(async (tx) => {
              if (!(await tx.claimEvent(INBOX_CONSUMER, event.eventId))) return 'duplicate';
              return applyOrderSnapshot(tx, event.snapshot, event.reason, clock.now());
            });
      if (outcome !== 'placed-without-stock') return outcome;
      logger.error(
        { orderId: event.snapshot.orderId, merchantId: event.snapshot.merchantId, eventId: event.eventId },
        'order placed but its stock reservation was already released or never made; check stock by hand',
      );
      return 'applied';
    },

    /**
     * ADR 0006 step 4: tentative reservations past reserved_until whose PLACED event never came.
     * The order service is asked outside any transaction; the decision is then applied only if the
     * reservation is still tentative (an event may have confirmed it meanwhile).
     */
    async sweepReservations(limit: number): Promise<SweepReport> {
      const now = clock.now();
      const due = await store.repo.claimDue(now, new Date(now.getTime() + settings.sweepRetryMs), limit);
      let confirmed = 0;
      let released = 0;
      let deferred = 0;
      for (const reservation of due) {
        const found = await orders.getOrder(reservation.orderId, {});
        if (!found.ok) {
          deferred++;
          logger.warn(
            { orderId: reservation.orderId, err: found.error },
            'sweeper could not look up the order',
          );
          continue;
        }
        const state = found.value && orderStateName(found.value.state);
        const decision = sweepDecision(found.value ? { state: state ?? 'PLACED' } : undefined);
        const at = clock.now();
        const changed = await store.transaction((tx) =>
          decision === 'release'
            ? releaseReservation(
                tx,
                reservation.orderId,
                found.value ? `ORDER_${state}` : 'ORDER_NOT_FOUND',
                at,
                ['tentative'],
              )
            : tx
                .transitionReservation(reservation.orderId, ['tentative'], 'confirmed', 'SWEEP_ORDER_EXISTS')
                .then((r) => r !== undefined),
        );
        if (changed && decision === 'release') released++;
        if (changed && decision === 'confirm') confirmed++;
      }
      return { claimed: due.length, confirmed, released, deferred };
    },
  };
}
