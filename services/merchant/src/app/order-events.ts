import type { OrderSnapshot } from '../domain/kitchen.ts';
import { sweepDecision } from '../domain/reservation.ts';
import { INBOX_CONSUMER, type UseCaseDeps } from './deps.ts';
import { applyOrderSnapshot, recomputeControl } from './kitchen-sync.ts';
import { orderStateName } from './order-snapshot.ts';
import { placedWithoutHold } from './placed-without-hold.ts';
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

export function orderEventUseCases(deps: UseCaseDeps) {
  const { store, orders, clock, logger, settings } = deps;
  const settleWithoutHold = placedWithoutHold(deps);

  /**
   * PLACED confirms the reservation and files the order in the kitchen as `placed`: one
   * statement does it, for any number of consecutive PLACED events. The rare event whose reservation holds no stock (released
   * or missing) is left unclaimed by that statement and settled on its own, in log order.
   */
  async function confirmPlaced(events: readonly OrderEvent[]): Promise<('applied' | 'duplicate')[]> {
    const states = await store.repo.confirmPlaced(
      INBOX_CONSUMER,
      events.map((e) => ({ eventId: e.eventId, orderId: e.snapshot.orderId })),
    );
    const outcomes: ('applied' | 'duplicate')[] = [];
    for (const [i, event] of events.entries()) {
      const state = states[i];
      if (state === 'released' || state === 'missing') outcomes.push(await settleWithoutHold(event));
      else outcomes.push(state === 'duplicate' ? 'duplicate' : 'applied');
    }
    // The intake grew: each merchant's backlog and auto-pause once per batch, not per order. Every
    // merchant of the batch: a duplicate's, so a batch retried after this step failed still gets
    // it, and a settled one's (a re-taken hold is filed as placed too).
    const merchants = new Set(events.map((e) => e.snapshot.merchantId));
    for (const merchantId of merchants)
      await store.transaction(async (tx) => {
        const merchant = await tx.getMerchant(merchantId, { forUpdate: true });
        if (merchant) await recomputeControl(tx, merchant, clock.now());
      });
    return outcomes;
  }

  /**
   * One OrderStateChanged, applied once: the inbox claim and every effect commit together, so a
   * redelivered event (at-least-once) finds its id claimed and changes nothing.
   */
  async function applyOrderEvent(event: OrderEvent): Promise<'applied' | 'duplicate'> {
    if (event.snapshot.state === 'PLACED') return (await confirmPlaced([event]))[0]!;
    return store.transaction(async (tx) => {
      if (!(await tx.claimEvent(INBOX_CONSUMER, event.eventId))) return 'duplicate';
      await applyOrderSnapshot(tx, event.snapshot, event.reason, clock.now());
      return 'applied';
    });
  }

  return {
    applyOrderEvent,

    /**
     * A batch of OrderStateChanged in log order, each applied once, with the same effects as one
     * by one: consecutive PLACED events (most of a lunch peak's) share one statement; every other
     * event keeps its place and its own transaction.
     */
    async applyOrderEvents(events: readonly OrderEvent[]): Promise<('applied' | 'duplicate')[]> {
      const outcomes: ('applied' | 'duplicate')[] = [];
      for (let i = 0; i < events.length;) {
        let j = i;
        while (j < events.length && events[j]!.snapshot.state === 'PLACED') j++;
        if (j > i) {
          outcomes.push(...(await confirmPlaced(events.slice(i, j))));
          i = j;
        } else outcomes.push(await applyOrderEvent(events[i++]!));
      }
      return outcomes;
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
