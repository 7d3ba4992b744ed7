import type { DeclinedBy, DispatchOrder, DispatchOrderState, OfferStatus } from './model.ts';
import type { ReleaseReason } from './release.ts';
import { offerLapsed } from './rules.ts';

/**
 * Where an order stands in dispatch, for ops asking "why has this order no rider yet?"
 * (docs/dispatch-service.md#where-an-order-stands-getdispatchstatus). Pure: everything is derived
 * from the order's row and the offers that carried it; dispatch stores nothing for it.
 */

/** The row's state: `waiting` covers new orders and those back after a decline, expiry or release. */
export type DispatchPhase = DispatchOrderState;

/** How one offer of the order ended. */
export type OfferOutcome =
  | 'pending'
  | 'accepted'
  /** Accepted, then taken back from the rider before pickup (ADR 0013). */
  | 'released'
  | 'declined'
  /** Declined by the rider going offline with the offer pending. */
  | 'declined_going_offline'
  /** Not answered in time: swept, or past its expiresAt and not swept yet. */
  | 'expired'
  /** Cancelled while the offer was pending (for a bundle, this order; the others may go on). */
  | 'withdrawn';

export type EndedOutcome = Exclude<OfferOutcome, 'pending'>;

export const ENDED_OUTCOMES: readonly EndedOutcome[] = [
  'accepted',
  'released',
  'declined',
  'declined_going_offline',
  'expired',
  'withdrawn',
];

/**
 * What decides an offer's outcome for one order: the offer's status, who declined it, a release
 * of the order since, and the order's cancellation while it was pending.
 */
export interface OutcomeFacts {
  readonly status: OfferStatus;
  readonly declinedBy: DeclinedBy | undefined;
  /** The order was taken back from the rider after accepting this offer. */
  readonly released: boolean;
  /**
   * The order was cancelled while this offer was pending, and so left it then. The offer's own
   * status says what became of it for the rest of its bundle (still pending, accepted, declined,
   * expired), which this order had no part in; `withdrawn` when it was the bundle's last order.
   */
  readonly withdrawn: boolean;
}

export function offerOutcome(f: OutcomeFacts): OfferOutcome {
  if (f.withdrawn) return 'withdrawn';
  switch (f.status) {
    case 'pending':
      return 'pending';
    case 'accepted':
      return f.released ? 'released' : 'accepted';
    case 'declined':
      // NULL for declines stored before migration 0009: the rider's answer was the only way then.
      return f.declinedBy === 'going_offline' ? 'declined_going_offline' : 'declined';
    case 'expired':
    case 'withdrawn':
      return f.status;
  }
}

/**
 * One offer that carried the order, as stored (offers, order_releases for this order, and the
 * order's cancellation: OutcomeFacts.withdrawn).
 */
export interface OrderOfferRecord {
  readonly offerId: string;
  readonly riderId: string;
  readonly orderIds: readonly string[];
  readonly status: OfferStatus;
  readonly declinedBy: DeclinedBy | undefined;
  readonly offeredAt: Date;
  readonly expiresAt: Date;
  /** Answered, expired or withdrawn at; undefined while pending. */
  readonly respondedAt: Date | undefined;
  /** The latest release of the order from this offer's rider after accepting it. */
  readonly release: { readonly reason: ReleaseReason; readonly releasedAt: Date } | undefined;
  /** OutcomeFacts.withdrawn: the order was cancelled while this offer was pending. */
  readonly withdrawn: boolean;
}

/** How many of the order's offers share the facts that decide an outcome. */
export interface OfferTally extends OutcomeFacts {
  readonly count: number;
}

/** What the store knows of one order. */
export interface DispatchRecord {
  readonly order: DispatchOrder;
  /** The row's last update; for a cancelled order, the cancellation (nothing updates it after). */
  readonly updatedAt: Date;
  /**
   * The latest offers that carried the order, newest first, at most the limit asked for. The
   * order's current offer (`order.offerId`) is the newest: an order is in one offer at a time,
   * and none after an accept unless it is taken back.
   */
  readonly recentOffers: readonly OrderOfferRecord[];
  /** Every offer of the order the store keeps, grouped by the facts of its outcome. */
  readonly tallies: readonly OfferTally[];
}

export interface OrderOffer {
  readonly offerId: string;
  readonly riderId: string;
  readonly orderIds: readonly string[];
  readonly outcome: OfferOutcome;
  readonly offeredAt: Date;
  readonly expiresAt: Date;
  readonly answeredAt: Date | undefined;
  readonly releasedAt: Date | undefined;
  readonly releaseReason: ReleaseReason | undefined;
}

export interface DispatchStatus {
  readonly orderId: string;
  readonly phase: DispatchPhase;
  readonly zone: string;
  readonly merchantId: string;
  readonly placedAt: Date;
  readonly ready: boolean;
  readonly expectedReadyAt: Date;
  /** `offered` only: the offer waiting for its rider's answer, before its expiry. */
  readonly pendingOffer: OrderOffer | undefined;
  /** The rider who accepted it (assigned, picked up, delivered; cancelled while they held it). */
  readonly riderId: string | undefined;
  readonly assignedAt: Date | undefined;
  readonly pickedUpAt: Date | undefined;
  readonly deliveredAt: Date | undefined;
  readonly cancelledAt: Date | undefined;
  /** A customer's cancellation holds the order against pickup until then (ADR 0016). */
  readonly cancelHoldUntil: Date | undefined;
  /** Every offer by how it ended; the pending one is not counted. */
  readonly offerCounts: Readonly<Record<EndedOutcome, number>>;
  readonly recentOffers: readonly OrderOffer[];
}

/**
 * A pending offer past its expiry is expired, as an answer to it is refused (decideOfferResponse)
 * and as the expiry sweeper will record it, up to OFFER_SWEEP_INTERVAL_MS later.
 */
const lapsed = (r: OrderOfferRecord, now: Date) =>
  r.status === 'pending' && !r.withdrawn && offerLapsed(r, now);

/** `cancelledAt`: the order's cancellation, which withdrew it from a `withdrawn` offer. */
const toOrderOffer = (r: OrderOfferRecord, now: Date, cancelledAt: Date | undefined): OrderOffer => ({
  offerId: r.offerId,
  riderId: r.riderId,
  orderIds: r.orderIds,
  outcome: lapsed(r, now) ? 'expired' : offerOutcome({ ...r, released: r.release !== undefined }),
  offeredAt: r.offeredAt,
  expiresAt: r.expiresAt,
  // Not the offer's answer to the rest of its bundle, which may be later, earlier, or to come.
  answeredAt: r.withdrawn ? cancelledAt : r.respondedAt,
  releasedAt: r.release?.releasedAt,
  releaseReason: r.release?.reason,
});

/**
 * The rider an order is with. Assigned, picked up, delivered: the rider of its accepted offer. A
 * cancelled order keeps the rider and offer it had, which were its rider's only if they had
 * accepted it: not if it was cancelled while only offered (withdrawn), also when the rider then
 * accepted the offer for the rest of its bundle.
 */
function holder(order: DispatchOrder, current: OrderOfferRecord | undefined) {
  const accepted =
    current?.status === 'accepted' && !current.withdrawn && current.riderId === order.riderId
      ? current
      : undefined;
  switch (order.state) {
    case 'assigned':
    case 'picked_up':
    case 'delivered':
      return { riderId: order.riderId, assignedAt: accepted?.respondedAt };
    case 'cancelled':
      return accepted
        ? { riderId: accepted.riderId, assignedAt: accepted.respondedAt }
        : { riderId: undefined, assignedAt: undefined };
    case 'waiting':
    case 'offered':
      return { riderId: undefined, assignedAt: undefined };
  }
}

export function dispatchStatus(record: DispatchRecord, now: Date): DispatchStatus {
  const { order } = record;
  const cancelledAt = order.state === 'cancelled' ? record.updatedAt : undefined;
  const current = order.offerId ? record.recentOffers.find((r) => r.offerId === order.offerId) : undefined;
  const offerCounts = Object.fromEntries(ENDED_OUTCOMES.map((o) => [o, 0])) as Record<EndedOutcome, number>;
  for (const tally of record.tallies) {
    const outcome = offerOutcome(tally);
    if (outcome !== 'pending') offerCounts[outcome] += tally.count;
  }
  // Pending offers are not in the tallies' counts; one past its expiry is counted as expired. The
  // only offer of an order that can be pending is its current one, the newest: always listed.
  for (const r of record.recentOffers) if (lapsed(r, now)) offerCounts.expired += 1;
  // An offered order whose offer lapsed is back to waiting, as the sweeper will leave it.
  const expiring = order.state === 'offered' && current !== undefined && lapsed(current, now);
  return {
    orderId: order.orderId,
    phase: expiring ? 'waiting' : order.state,
    zone: order.zone,
    merchantId: order.merchantId,
    placedAt: order.placedAt,
    ready: order.ready,
    expectedReadyAt: order.expectedReadyAt,
    pendingOffer:
      order.state === 'offered' && current?.status === 'pending' && !expiring
        ? toOrderOffer(current, now, cancelledAt)
        : undefined,
    ...holder(order, current),
    pickedUpAt: order.pickedUpAt,
    deliveredAt: order.deliveredAt,
    cancelledAt,
    // The column outlives the hold: past, or on an order the cancellation has since ended.
    cancelHoldUntil:
      order.state !== 'cancelled' && order.cancelHoldUntil && order.cancelHoldUntil > now
        ? order.cancelHoldUntil
        : undefined,
    offerCounts,
    recentOffers: record.recentOffers.map((r) => toOrderOffer(r, now, cancelledAt)),
  };
}
