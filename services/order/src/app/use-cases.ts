import { err, ok, type CodedError, type Result } from '@mealpeak/core';
import type { Logger } from '@mealpeak/telemetry';
import type { OrderCommand } from '../domain/commands.ts';
import { decideDispatchFact, type DispatchFact } from '../domain/dispatch-facts.ts';
import { OrderErrors } from '../domain/errors.ts';
import { decide } from '../domain/order-state.ts';
import type { Actor, Order, OrderState, StateChange } from '../domain/order.ts';
import { countWindowStart } from '../domain/state-counts.ts';
import {
  isSamePlacement,
  newOrder,
  storeDeadline,
  validatePlacement,
  type PlaceOrderInput,
  type PlacementPolicy,
} from '../domain/placement.ts';
import type { Clock, EventClaim, OrderFilter, OrderPage, OrderStore, StockReservations } from './ports.ts';

export interface OrderUseCasesDeps {
  store: OrderStore;
  reservations: StockReservations;
  clock: Clock;
  policy: PlacementPolicy;
  logger: Logger;
}

export type OrderUseCases = ReturnType<typeof createOrderUseCases>;

export const MAX_PAGE_SIZE = 100;

export function createOrderUseCases({ store, reservations, clock, policy, logger }: OrderUseCasesDeps) {
  const existingOrConflict = (existing: Order, input: PlaceOrderInput): Result<Order, CodedError> =>
    isSamePlacement(existing, input) ? ok(existing) : err(OrderErrors.idConflict(input.orderId));

  /** Compensation for an order known not to be stored: the merchant's hold goes back at once. */
  const releaseHold = async (orderId: string, reason: string): Promise<void> => {
    const released = await reservations.release(orderId, reason);
    if (!released.ok)
      logger.warn({ orderId, error: released.error }, 'compensation failed; sweeper will release');
  };

  return {
    /**
     * Reserve stock at the merchant, then store the order and its PLACED event atomically.
     * Idempotent on the order id; releases the reservation when the order could not be stored.
     */
    async placeOrder(input: PlaceOrderInput, deadline?: Date): Promise<Result<Order, CodedError>> {
      const valid = validatePlacement(input);
      if (!valid.ok) return valid;
      // No read first: the merchant's reservation is idempotent on the order id and the insert
      // returns an existing order, so a repeat costs nothing extra and the first try saves a query.
      const reservation = await reservations.reserve(input, deadline);
      if (!reservation.ok) {
        // A repeat of an order that was since rejected or cancelled finds its reservation
        // released: answer with the order, as any repeat does.
        const existing = await store.get(input.orderId);
        return existing ? existingOrConflict(existing, input) : reservation;
      }
      const { order, change } = newOrder(input, reservation.value, policy, clock.now());
      let stored: { order: Order; created: boolean } | 'too-late';
      try {
        stored = await store.insertPlaced(order, change, storeDeadline(reservation.value));
      } catch (error) {
        // Release only when the order is known not to exist: if the insert committed and just
        // the answer was lost, releasing would oversell. Unknown -> the merchant's sweeper decides.
        const known = await store.get(input.orderId).then(
          (o) => (o ? 'exists' : 'absent'),
          () => 'unknown',
        );
        if (known === 'absent') await releaseHold(input.orderId, 'PLACEMENT_FAILED');
        throw error;
      }
      if (stored === 'too-late') {
        // Known not stored (the sweeper would release the hold anyway, just later).
        await releaseHold(input.orderId, 'PLACEMENT_TOO_LATE');
        return err(OrderErrors.reservationExpired(input.orderId));
      }
      return stored.created ? ok(stored.order) : existingOrConflict(stored.order, input);
    },

    async transition(
      orderId: string,
      command: OrderCommand,
      actor: Actor,
      claim?: EventClaim,
    ): Promise<Result<Order | 'duplicate', CodedError>> {
      return store.mutate(orderId, (order) => decide(order, { command, actor, now: clock.now() }), claim);
    },

    /** A fact of rider-dispatch, once per event, with the steps it implies (domain/dispatch-facts.ts). */
    async applyDispatchFact(
      orderId: string,
      fact: DispatchFact,
      claim: EventClaim,
    ): Promise<Result<Order | 'duplicate', CodedError>> {
      return store.mutate(orderId, (order) => decideDispatchFact(order, fact, clock.now()), claim);
    },

    async getOrder(orderId: string): Promise<Result<Order, CodedError>> {
      const order = await store.get(orderId);
      return order ? ok(order) : err(OrderErrors.notFound(orderId));
    },

    async listOrders(
      filter: OrderFilter,
      pageSize: number,
      cursor: string | undefined,
    ): Promise<Result<OrderPage, CodedError>> {
      const size = pageSize === 0 ? 20 : Math.min(pageSize, MAX_PAGE_SIZE);
      return store.list(filter, size, cursor);
    },

    async timeline(orderId: string): Promise<Result<readonly StateChange[], CodedError>> {
      const entries = await store.timeline(orderId);
      return entries.length ? ok(entries) : err(OrderErrors.notFound(orderId));
    },

    /** Counts per state; finished orders only from `since` (default a day, at most a week back). */
    async countByState(
      merchantId: string | undefined,
      since: Date | undefined,
    ): Promise<Result<{ counts: ReadonlyMap<OrderState, number>; since: Date }, CodedError>> {
      const start = countWindowStart(since, clock.now());
      if (!start.ok) return start;
      return ok({ counts: await store.countByState(merchantId, start.value), since: start.value });
    },

    /** ACCEPTED orders more than `graceMs` past their expected ready time (a metric, not an action). */
    async acceptedOverdue(graceMs: number): Promise<{ count: number; oldestSeconds: number }> {
      const now = clock.now();
      const { count, oldestReadyAt } = await store.acceptedOverdue(new Date(now.getTime() - graceMs));
      const oldestSeconds = oldestReadyAt ? Math.max(0, (now.getTime() - oldestReadyAt.getTime()) / 1000) : 0;
      return { count, oldestSeconds };
    },

    /** Rejects orders whose merchant did not accept in time; safe to run on every replica. */
    async expireOverdue(limit = 100): Promise<number> {
      const now = clock.now();
      return store.sweepOverdue(now, limit, (order) =>
        decide(order, {
          command: { kind: 'EXPIRE' },
          actor: { role: 'system', id: 'acceptance-timeout' },
          now,
        }),
      );
    },
  };
}
