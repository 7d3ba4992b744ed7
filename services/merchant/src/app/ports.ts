import type { CodedError, Result } from '@mealpeak/core';
import type { Order } from '@mealpeak/contracts/order.v1';
import type { KitchenOrder } from '../domain/kitchen.ts';
import type { MerchantProfile } from '../domain/merchant-profile.ts';
import type { StoredProfileChange } from '../domain/profile-change.ts';
import type { PricedLine, ReservationState } from '../domain/reservation.ts';
import type { GeoPoint, MenuItem, Merchant, MerchantStatus } from '../domain/types.ts';

/** The time, passed to every use case (the domain gets the instant as an argument). */
export interface Clock {
  now(): Date;
}

export interface IdGenerator {
  newId(): string;
}

export interface Reservation {
  readonly orderId: string;
  /** '' for a tombstone: a release that arrived before (or without) its reservation. */
  readonly merchantId: string;
  readonly state: ReservationState;
  readonly lines: readonly PricedLine[];
  readonly totalMinor: number;
  readonly currency: string;
  readonly location: GeoPoint;
  readonly prepEstimateSeconds: number;
  readonly reservedUntil: Date;
  /**
   * The restaurant as it was named when reserved, which a replay answers with the location.
   * Undefined for a reservation stored before it was kept (and for a tombstone).
   */
  readonly merchantName?: string | undefined;
  /** '' when the merchant had no address; undefined as merchantName. */
  readonly pickupAddress?: string | undefined;
}

/** Merchants within `radiusM` of `center` that also deliver there (their delivery radius reaches it). */
export interface NearQuery {
  readonly center: GeoPoint;
  readonly radiusM: number;
  /** Keyset cursor: rows strictly after (distance, id). */
  readonly after: { readonly distanceM: number; readonly id: string } | undefined;
  readonly limit: number;
  /** Only merchants neither paused nor auto-paused (opening hours are checked by the caller). */
  readonly unpausedOnly: boolean;
}

export interface MerchantNear {
  readonly merchant: Merchant;
  readonly distanceM: number;
}

export interface StatusChange {
  readonly merchant: Merchant;
  readonly from: MerchantStatus;
  readonly to: MerchantStatus;
  readonly reason: string;
  readonly at: Date;
  /** The status customers see after the change (includes opening hours). */
  readonly effectiveStatus: MerchantStatus;
}

export interface MerchantRepo {
  getMerchant(id: string, options?: { forUpdate?: boolean }): Promise<Merchant | undefined>;
  /**
   * Creates the merchant or replaces its profile; status flags and backlog are kept, and so is the
   * address when the profile's is undefined.
   */
  saveProfile(profile: MerchantProfile): Promise<Merchant>;
  /** Sets the address alone; undefined when there is no such merchant. */
  saveAddress(id: string, address: string): Promise<Merchant | undefined>;
  /**
   * Writes the fields `change` gives (normalised already) and leaves every other column as it is
   * in the row it updates; undefined when there is no such merchant.
   */
  updateProfile(id: string, change: StoredProfileChange): Promise<Merchant | undefined>;
  updateControl(
    id: string,
    control: Pick<Merchant, 'manualStatus' | 'autoPaused' | 'backlog'>,
  ): Promise<void>;
  findNear(query: NearQuery): Promise<MerchantNear[]>;
  hasItemsPricedOtherThan(merchantId: string, currency: string): Promise<boolean>;
}

/** A menu item to write; `stock` undefined keeps an existing item's stock. */
export type MenuItemWrite = Omit<MenuItem, 'stock'> & { readonly stock: number | undefined };

/** A stock write: the item after it, or the figure that made it refuse (nothing written). */
export type StockWrite =
  { readonly ok: true; readonly item: MenuItem } | { readonly ok: false; readonly current: number };

/** A stock change made under a request id (ChangeStock.request_id), as recorded with its result. */
export interface StockChangeRecord {
  readonly requestId: string;
  readonly merchantId: string;
  readonly itemId: string;
  readonly add: number | undefined;
  readonly stock: number | undefined;
  readonly expectedStock: number | undefined;
  /** The units left after the change. */
  readonly result: number;
}

export interface MenuRepo {
  listMenu(merchantId: string): Promise<MenuItem[]>;
  countItems(merchantId: string): Promise<number>;
  /** Items by id, whoever owns them. */
  getItems(ids: readonly string[]): Promise<MenuItem[]>;
  /**
   * Insert or update; undefined when the id belongs to another merchant's item. An update without
   * `stock` keeps the stored figure (in the same statement: reservations may take units meanwhile).
   */
  upsertItem(item: MenuItemWrite): Promise<MenuItem | undefined>;
  /**
   * Sets the units left to `stock`, only if they are `expected` when that is given (in the same
   * statement, which also reads the figure a refusal reports); undefined when the item is not the merchant's.
   */
  setStock(
    merchantId: string,
    itemId: string,
    stock: number,
    expected?: number,
  ): Promise<StockWrite | undefined>;
  /**
   * Adds `delta` units (negative: removes them) atomically, only if the result is not below 0
   * and, when adding, not above MAX_STOCK; undefined when the item is not the merchant's. A
   * refusal's `current` is the figure the write was refused on (read in the same statement).
   */
  addStock(merchantId: string, itemId: string, delta: number): Promise<StockWrite | undefined>;
  /** Request ids are per merchant: another merchant's record under the same id is not this one. */
  getStockChange(merchantId: string, requestId: string): Promise<StockChangeRecord | undefined>;
  /** False (nothing written) when the merchant's request id is recorded already. */
  recordStockChange(change: StockChangeRecord): Promise<boolean>;
  /** Atomically takes `quantity` if that many are left; false (and no change) otherwise. */
  takeStock(itemId: string, quantity: number): Promise<boolean>;
  returnStock(itemId: string, quantity: number): Promise<void>;
}

export interface ReservationRepo {
  getReservation(orderId: string): Promise<Reservation | undefined>;
  /** False when a reservation for the order exists (waits for a concurrent insert to finish). */
  insertReservation(reservation: Reservation): Promise<boolean>;
  /**
   * The fast path of ReserveStock in one atomic step: 'reserved' (stock taken), 'exists' (a
   * reservation for the order was already there: nothing taken), or 'refused' (some line is short,
   * unavailable, not the merchant's or no longer at the price the reservation's lines carry:
   * nothing taken; the caller finds out which, and says so or prices again).
   */
  reserveAtomically(
    reservation: Reservation,
    lines: readonly { readonly itemId: string; readonly quantity: number }[],
  ): Promise<'reserved' | 'exists' | 'refused'>;
  /** Moves the reservation from one of `from` to `to`; returns it when it moved, else undefined. */
  transitionReservation(
    orderId: string,
    from: readonly ReservationState[],
    to: ReservationState,
    reason: string,
  ): Promise<Reservation | undefined>;
  /**
   * Claims up to `limit` tentative reservations due for a check at `now` (skipping rows other
   * replicas hold) and postpones their next check to `leaseUntil`, so no two sweepers ask about
   * the same order at once and a sweeper that dies only delays the check.
   */
  claimDue(now: Date, leaseUntil: Date, limit: number): Promise<Reservation[]>;
}

export interface KitchenRepo {
  getKitchenOrder(orderId: string): Promise<KitchenOrder | undefined>;
  saveKitchenOrder(order: KitchenOrder): Promise<void>;
  /** Orders waiting for acceptance (recent `placed` rows) and accepted, not ready ones; at most `upTo`. */
  countBacklog(merchantId: string, upTo: number): Promise<number>;
  /**
   * The work ahead of `orderId` in the merchant's kitchen, at most `upTo`: the accepted orders and
   * the `placed` ones filed before it (in the order their PLACED confirmations were filed), both
   * within the same age bounds as countBacklog, never the order itself. Without a kitchen row for
   * it (its PLACED event not applied yet) every counted `placed` row is ahead of it.
   */
  countAhead(merchantId: string, orderId: string, upTo: number): Promise<number>;
  /**
   * Locks (FOR UPDATE, skipping merchants other transactions hold) and returns up to `limit`
   * merchants with an id above `afterId`, in id order, whose stored backlog or auto-pause may be
   * stale: auto-paused or with a backlog, and with a `placed` or `accepted` row past the age at
   * which countBacklog stops counting it. Such a row leaves the count without any kitchen change.
   */
  lockAgedBacklogs(afterId: string, limit: number): Promise<Merchant[]>;
}

export interface MessagingRepo {
  /** Inbox: true the first time `consumer` claims `eventId` in this transaction's database. */
  claimEvent(consumer: string, eventId: string): Promise<boolean>;
  /** Outbox: a MerchantStatusChanged event, published if and only if the transaction commits. */
  publishStatusChanged(change: StatusChange): Promise<void>;
  /**
   * PLACED events (the most frequent event) in one atomic step for any number of them: claim each
   * in the inbox and confirm its tentative reservation. Per event, in input order: 'released' or
   * 'missing' (no reservation) when its reservation holds no stock, and then the event is NOT
   * claimed (the caller settles it on its own); else 'duplicate' when already claimed (before, or
   * earlier in the same list); else the state its reservation is in afterwards. Outside a
   * transaction the step may commit without waiting for durability (a lost confirmation is the
   * sweeper's to redo).
   */
  confirmPlaced(
    consumer: string,
    placed: readonly { readonly eventId: string; readonly orderId: string }[],
  ): Promise<PlacedOutcome[]>;
}

export type PlacedOutcome = 'duplicate' | ReservationState | 'missing';

export interface RetentionRepo {
  /**
   * Deletes up to `limit` rows of finished work created and last changed before `before`: kitchen
   * rows that are ready or dropped, released reservations, and confirmed ones whose order is not
   * being cooked. Returns how many went. Tentative reservations are the sweeper's, never purged.
   */
  purgeFinished(before: Date, limit: number): Promise<number>;
}

export type Repo = MerchantRepo & MenuRepo & ReservationRepo & KitchenRepo & MessagingRepo & RetentionRepo;

export interface MerchantStore {
  /** Single statements outside a transaction (reads). */
  readonly repo: Repo;
  /** Runs `work` in one transaction: committed when it returns, rolled back when it throws. */
  transaction<T>(work: (tx: Repo) => Promise<T>): Promise<T>;
}

export interface CallOptions {
  /** Deadline of the call being served; the downstream call must not outlive it. */
  readonly deadline?: Date | undefined;
}

export type MerchantCommand =
  | { readonly kind: 'accept'; readonly prepSeconds: number }
  /** `bySystem`: the platform's decision (stock gone), not the merchant's; so says the timeline. */
  | { readonly kind: 'reject'; readonly reason: string; readonly bySystem?: boolean }
  | { readonly kind: 'mark_ready' };

/** The order service, which owns order state (ADR 0006). Its errors come back unchanged. */
export interface OrderService {
  transition(
    orderId: string,
    merchantId: string,
    command: MerchantCommand,
    options: CallOptions,
  ): Promise<Result<Order, CodedError>>;
  /** ok(undefined) when the order service says the order does not exist. */
  getOrder(orderId: string, options: CallOptions): Promise<Result<Order | undefined, CodedError>>;
}
