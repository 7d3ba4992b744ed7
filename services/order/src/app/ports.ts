import type { CodedError, Result } from '@mealpeak/core';
import type { Decision } from '../domain/order-state.ts';
import type { Order, OrderState, StateChange } from '../domain/order.ts';
import type { PlaceOrderInput, Reservation } from '../domain/placement.ts';

export interface Clock {
  now(): Date;
}

/** The merchant service, as placement needs it (docs/adr/0006). */
export interface StockReservations {
  reserve(input: PlaceOrderInput, parentDeadline?: Date): Promise<Result<Reservation, CodedError>>;
  release(orderId: string, reason: string): Promise<Result<void, CodedError>>;
}

export interface OrderFilter {
  readonly customerId?: string | undefined;
  readonly merchantId?: string | undefined;
  readonly states?: readonly OrderState[];
  /** By placement time, oldest first; newest first when not set. */
  readonly oldestFirst?: boolean;
}

export interface OrderPage {
  readonly orders: readonly Order[];
  /** Opaque; absent on the last page. */
  readonly nextCursor: string | undefined;
}

/** Marks an event as applied in the same transaction as its effect (the inbox). */
export interface EventClaim {
  readonly consumer: string;
  readonly eventId: string;
}

export type Decide = (order: Order) => Result<Decision, CodedError>;

/**
 * Durable orders. Every write persists the order, its timeline entries and the events to publish
 * (outbox) in one transaction, so a committed change is always published and vice versa.
 */
export interface OrderStore {
  get(id: string): Promise<Order | undefined>;
  list(
    filter: OrderFilter,
    pageSize: number,
    cursor: string | undefined,
  ): Promise<Result<OrderPage, CodedError>>;
  timeline(id: string): Promise<readonly StateChange[]>;
  /** Every state: live ones whatever their age, finished ones of orders placed at or after `since`. */
  countByState(merchantId: string | undefined, since: Date): Promise<ReadonlyMap<OrderState, number>>;
  /** ACCEPTED orders whose expected_ready_at is before `readyBefore`, and the earliest of those times. */
  acceptedOverdue(readyBefore: Date): Promise<{ count: number; oldestReadyAt: Date | undefined }>;
  /**
   * Inserts a new order unless the id exists, and only while the database's clock is before
   * `storeBy` (when given); returns the stored order either way, or 'too-late' when it was not
   * stored because `storeBy` had passed.
   */
  insertPlaced(
    order: Order,
    change: StateChange,
    storeBy?: Date,
  ): Promise<{ order: Order; created: boolean } | 'too-late'>;
  /**
   * Locks the order, applies `decide`, and persists the result. With a claim, an event already
   * applied is skipped (`duplicate`) without calling `decide`.
   */
  mutate(id: string, decide: Decide, claim?: EventClaim): Promise<Result<Order | 'duplicate', CodedError>>;
  /** Applies `decide` to up to `limit` PLACED orders past their acceptance deadline; returns how many changed. */
  sweepOverdue(now: Date, limit: number, decide: Decide): Promise<number>;
}
