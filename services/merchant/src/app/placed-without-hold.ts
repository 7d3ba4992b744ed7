import { TransientFailure, type CodedError } from '@mealpeak/core';
import { inLockOrder } from '../domain/reservation.ts';
import { INBOX_CONSUMER, type UseCaseDeps } from './deps.ts';
import { applyOrderSnapshot } from './kitchen-sync.ts';
import type { OrderEvent } from './order-events.ts';
import { snapshotOf } from './order-snapshot.ts';

/** The reject reason when a late order's stock is gone (one of the gateway's reject reasons). */
export const OUT_OF_STOCK = 'OUT_OF_STOCK';

/** Thrown inside the re-take transaction to roll it back, the inbox claim included. */
class StockGone extends Error {
  override readonly name = 'StockGone';
}

/**
 * A PLACED event whose reservation no longer holds stock, settled once:
 *
 * - the order was rejected or cancelled meanwhile (its kitchen row is `dropped`: the merchant's own
 *   RejectOrder applied the order service's reply before this event arrived): nothing to hold;
 * - otherwise the reservation was released before the order committed (the sweeper asked while
 *   the order service did not know the order yet, ADR 0006): its stock is taken again, in the
 *   transaction that claims the event, if it is still there, and the reservation is confirmed;
 * - if it is gone, the order is rejected with OUT_OF_STOCK through the order service, then the
 *   event is claimed. An order service that cannot be reached throws a TransientFailure: the
 *   event is not claimed, and the consumer retries it until the order service answers.
 *
 * A later REJECTED or CANCELLED event releases a re-taken hold as usual.
 */
export function placedWithoutHold({ store, orders, clock, logger }: UseCaseDeps) {
  const log = logger.child({ component: 'placed-without-hold' });

  /** The re-take; 'short' rolls back everything, the claim included. */
  async function retake(event: OrderEvent): Promise<'applied' | 'duplicate' | 'short'> {
    const { orderId, merchantId } = event.snapshot;
    try {
      return await store.transaction(async (tx) => {
        if (!(await tx.claimEvent(INBOX_CONSUMER, event.eventId))) return 'duplicate';
        if ((await tx.getKitchenOrder(orderId))?.state === 'dropped') return 'applied';
        // Its lines say what to take again; without them (no reservation at all, or the tombstone
        // of a release that came before any reserve) nothing can be repaired here.
        const current = await tx.getReservation(orderId);
        if (!current || current.lines.length === 0) {
          log.error({ orderId, merchantId }, 'order placed without reserved lines; check its stock by hand');
          return 'applied';
        }
        const held = await tx.transitionReservation(orderId, ['released'], 'confirmed', 'RETAKEN_ON_PLACED');
        if (!held) return 'applied'; // held again: a concurrent redelivery was first
        for (const line of inLockOrder(held.lines))
          if (!(await tx.takeStock(line.itemId, line.quantity))) throw new StockGone();
        await tx.saveKitchenOrder({ orderId, merchantId, state: 'placed', version: 1 });
        log.warn(
          { orderId, merchantId },
          'order placed after its reservation was released; stock taken again',
        );
        return 'applied';
      });
    } catch (error) {
      if (error instanceof StockGone) return 'short';
      throw error;
    }
  }

  return async function settle(event: OrderEvent): Promise<'applied' | 'duplicate'> {
    const first = await retake(event);
    if (first !== 'short') return first;

    const { orderId, merchantId } = event.snapshot;
    const rejected = await orders.transition(
      orderId,
      merchantId,
      { kind: 'reject', reason: OUT_OF_STOCK, bySystem: true },
      {},
    );
    if (!rejected.ok && !settled(rejected.error)) {
      const message = `could not reject order ${orderId} whose stock is gone: ${rejected.error.code}`;
      // The order service away or slow: the consumer retries until it answers (no dead letter).
      throw ['unavailable', 'timeout', 'exhausted'].includes(rejected.error.kind)
        ? new TransientFailure(message)
        : new Error(message);
    }
    return store.transaction(async (tx) => {
      if (!(await tx.claimEvent(INBOX_CONSUMER, event.eventId))) return 'duplicate';
      if (rejected.ok) {
        const snapshot = snapshotOf(rejected.value);
        if (snapshot) await applyOrderSnapshot(tx, snapshot, rejected.value.reason, clock.now());
        log.warn(
          { orderId, merchantId },
          'order placed after its reservation was released and its stock was gone; rejected',
        );
      } else
        log.error(
          { orderId, merchantId, code: rejected.error.code },
          'order placed after its reservation was released, its stock is gone and it can no longer be rejected; check stock by hand',
        );
      return 'applied';
    });
  };
}

/**
 * The order moved on (accepted, cancelled) or is unknown: asking again will not change the
 * answer. Anything else (unavailable, timeout) may.
 */
const settled = (error: CodedError) => error.kind === 'conflict' || error.kind === 'not_found';
