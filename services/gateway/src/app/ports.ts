import type { CodedError, Result } from '@mealpeak/core';
import type {
  ListOrdersRequest,
  Order,
  PlaceOrderRequest,
  StateCount,
  TimelineEntry,
  TransitionOrderRequest,
} from '@mealpeak/contracts/order.v1';
import type {
  ListMerchantsRequest,
  MenuItem,
  Merchant,
  MerchantStatus,
  MerchantSummary,
  UpdateMerchantProfileRequest,
  UpsertMenuItemRequest,
} from '@mealpeak/contracts/merchant.v1';
import type {
  GetDeliveryTrackingResponse,
  GetDispatchStatusResponse,
  Offer,
  RiderShift,
  RunOrder,
  SetRiderOnlineRequest,
} from '@mealpeak/contracts/dispatch.v1';
import type { PingOutcome, PositionPing } from '@mealpeak/rider-positions';

/**
 * What the gateway needs from the services behind it. The vocabulary is the proto contracts
 * (@mealpeak/contracts): the gateway translates between them and JSON, and adds no model of its own.
 */

/** Per-call context: the HTTP request's own deadline caps every downstream deadline. */
export interface CallContext {
  readonly deadline: Date;
}

export type Reply<T> = Promise<Result<T, CodedError>>;

export interface Page<T> {
  readonly items: T[];
  /** Empty when there is no further page. */
  readonly nextPageToken: string;
}

export interface OrderPort {
  /** Idempotent on request.orderId: placing the same id twice returns the first order. */
  placeOrder(request: PlaceOrderRequest, ctx: CallContext): Reply<Order>;
  getOrder(orderId: string, ctx: CallContext): Reply<Order>;
  listOrders(request: ListOrdersRequest, ctx: CallContext): Reply<Page<Order>>;
  transitionOrder(request: TransitionOrderRequest, ctx: CallContext): Reply<Order>;
  getOrderTimeline(orderId: string, ctx: CallContext): Reply<TimelineEntry[]>;
  /** `since`: start of the window of finished orders (the order service's default when undefined). */
  countOrdersByState(merchantId: string, since: Date | undefined, ctx: CallContext): Reply<StateCounts>;
}

export interface StateCounts {
  readonly counts: readonly StateCount[];
  /** The window the finished states cover; undefined from an order service older than windows (all history). */
  readonly since: Date | undefined;
}

export interface MerchantWithMenu {
  readonly merchant: Merchant;
  readonly menu: MenuItem[];
}

/** A stock change: units left (optionally only if they are `expectedStock` now), or units to add. */
export interface StockChange {
  readonly stock?: number | undefined;
  readonly add?: number | undefined;
  readonly expectedStock?: number | undefined;
  /** With an Idempotency-Key (stock-request-id.ts): the merchant service applies it once. */
  readonly requestId?: string | undefined;
}

export interface MerchantPort {
  listMerchants(request: ListMerchantsRequest, ctx: CallContext): Reply<Page<MerchantSummary>>;
  getMerchant(merchantId: string, ctx: CallContext): Reply<MerchantWithMenu>;
  upsertMenuItem(request: UpsertMenuItemRequest, ctx: CallContext): Reply<MenuItem>;
  /** Exactly one of `stock` and `add`; `expectedStock` only with `stock` (docs/api.md, "Stock"). */
  setStock(merchantId: string, itemId: string, change: StockChange, ctx: CallContext): Reply<MenuItem>;
  setMerchantStatus(merchantId: string, status: MerchantStatus, ctx: CallContext): Reply<Merchant>;
  /** The fields present change, the rest stay; the store after it, with its menu. */
  updateMerchantProfile(request: UpdateMerchantProfileRequest, ctx: CallContext): Reply<MerchantWithMenu>;
  acceptOrder(merchantId: string, orderId: string, ctx: CallContext): Reply<Order>;
  rejectOrder(merchantId: string, orderId: string, reason: string, ctx: CallContext): Reply<Order>;
  markOrderReady(merchantId: string, orderId: string, ctx: CallContext): Reply<Order>;
}

export interface OfferAnswer {
  readonly offer: Offer;
  readonly accepted: boolean;
}

/** DispatchService. Ownership of offers and orders is the dispatch service's to check. */
export interface DispatchPort {
  /** Answer: the shift after the change. */
  setRiderOnline(request: SetRiderOnlineRequest, ctx: CallContext): Reply<RiderShift>;
  /** The rider's shift, unchanged (a rider never online is OFFLINE). */
  getRider(riderId: string, ctx: CallContext): Reply<RiderShift>;
  /** undefined: no pending offer. */
  getOffer(riderId: string, ctx: CallContext): Reply<Offer | undefined>;
  respondToOffer(riderId: string, offerId: string, accept: boolean, ctx: CallContext): Reply<OfferAnswer>;
  /** Answer: the order id. */
  markPickedUp(riderId: string, orderId: string, ctx: CallContext): Reply<string>;
  markDelivered(riderId: string, orderId: string, ctx: CallContext): Reply<string>;
  /** Answers for any order id: the caller checks who may see it. */
  getDeliveryTracking(orderId: string, ctx: CallContext): Reply<GetDeliveryTrackingResponse>;
  /** The rider's current run (held orders, recently cancelled ones); only ever this rider's. */
  listRiderOrders(riderId: string, ctx: CallContext): Reply<RunOrder[]>;
  /**
   * A customer's cancellation asks first (docs/adr/0016): ORDER_PICKED_UP once the food is with
   * the rider, else the order is held against pickup while the order service cancels it;
   * `release` ends the hold when the order service refused.
   */
  holdForCancellation(orderId: string, ctx: CallContext, release?: boolean): Reply<void>;
  /**
   * Where an order stands in dispatch, for ops: phase, pending offer, rider, offers by outcome.
   * ORDER_NOT_FOUND when dispatch has no row for it; UPSTREAM_UNIMPLEMENTED from a dispatch
   * release before the method.
   */
  getDispatchStatus(orderId: string, ctx: CallContext): Reply<GetDispatchStatusResponse>;
}

/**
 * The live positions index (libs/rider-positions' writer, one per process). Pings go straight to
 * Redis, never through a service: they are the platform's highest-rate traffic.
 */
export interface PositionsPort {
  /** False while the store is known to be unreachable, so requests fail fast instead of waiting. */
  isAvailable(): boolean;
  /** Never rejects: `unavailable` is an outcome. */
  write(ping: PositionPing): Promise<PingOutcome>;
}

export interface Ports {
  readonly orders: OrderPort;
  readonly merchants: MerchantPort;
  readonly dispatch: DispatchPort;
  readonly positions: PositionsPort;
}

/** A response kept for an Idempotency-Key, replayed byte for byte. */
export interface StoredResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

export type IdempotencyRecord =
  | { readonly state: 'pending'; readonly token: string; readonly fingerprint: string }
  | ({ readonly state: 'done'; readonly fingerprint: string } & StoredResponse);

export type ClaimOutcome =
  | { readonly claimed: true }
  /** `existing` is undefined when the record vanished between the two steps: claim again. */
  | { readonly claimed: false; readonly existing: IdempotencyRecord | undefined };

/** Shared store of Idempotency-Key records (Redis in production). Methods reject when it is down. */
export interface IdempotencyStore {
  /** False while the store is known to be unreachable, so callers skip it without waiting. */
  isAvailable(): boolean;
  /** Writes a pending record if the key is free (atomic), else returns what is there. */
  claim(key: string, token: string, fingerprint: string, lockTtlMs: number): Promise<ClaimOutcome>;
  read(key: string): Promise<IdempotencyRecord | undefined>;
  /** Replaces our pending record (matched by token) with the response; no-op if it is not ours. */
  complete(
    key: string,
    token: string,
    fingerprint: string,
    response: StoredResponse,
    ttlMs: number,
  ): Promise<void>;
  /** Deletes our pending record (matched by token) so a retry runs again. */
  release(key: string, token: string): Promise<void>;
}
