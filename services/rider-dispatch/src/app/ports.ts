import type { CodedError, Result } from '@mealpeak/core';
import type { NearbyRider, PingOutcome, PositionPing, RiderPosition } from '@mealpeak/rider-positions';
import type {
  Decline,
  DispatchOrder,
  Offer,
  OfferClaim,
  Rider,
  RiderStatus,
  UpstreamOrderState,
} from '../domain/delivery/model.ts';
import type { DispatchRecord } from '../domain/delivery/dispatch-status.ts';
import type { ReleasePolicy, ReleaseReason } from '../domain/delivery/release.ts';
import type { OrderEventAction } from '../domain/delivery/rules.ts';
import type { RunOrder } from '../domain/delivery/run.ts';
import type { HandoverCheck } from '../domain/delivery/handover.ts';
import type { LatLng } from '../domain/geo/projection.ts';

export interface Clock {
  now(): Date;
}

export interface Ids {
  newId(): string;
}

/** Live rider positions (libs/rider-positions): reads for rounds and tracking, writes for the API. */
export interface Positions {
  nearby(point: LatLng, radiusM: number, limit: number): Promise<NearbyRider[]>;
  get(riderId: string): Promise<RiderPosition | undefined>;
  /** Fresh positions of those riders that have one (silent riders are absent). */
  getMany(riderIds: readonly string[]): Promise<Map<string, RiderPosition>>;
  write(ping: PositionPing): Promise<PingOutcome>;
  remove(riderId: string): Promise<void>;
}

/** Marks an event as applied in the same transaction as its effect (the inbox). */
export interface EventClaim {
  readonly consumer: string;
  readonly eventId: string;
}

/** The part of an OrderStateChanged snapshot dispatch keeps. */
export interface OrderFacts {
  readonly orderId: string;
  readonly toState: UpstreamOrderState;
  readonly version: number;
  readonly zone: string;
  readonly merchantId: string;
  readonly customerId: string;
  readonly pickup: LatLng;
  readonly dropoff: LatLng;
  readonly dropoffAddress: string;
  /** '' when the snapshot carries none (an order service release before the fields). */
  readonly merchantName: string;
  readonly pickupAddress: string;
  readonly placedAt: Date;
  readonly expectedReadyAt: Date;
  readonly promisedAt: Date;
}

/** When and where an accepted run is planned to end, and when the rider reaches the restaurant. */
export interface AcceptPlan {
  readonly etaPickup: Date;
  readonly busyUntil: Date;
  readonly freePosition: LatLng;
}

export interface RespondInput {
  readonly offerId: string;
  readonly riderId: string;
  readonly accept: boolean;
  readonly now: Date;
  /** A declined (or expired) order is not offered to this rider again before this. */
  readonly declineUntil: Date;
  readonly plan: AcceptPlan | undefined;
}

/** Orders taken back from one rider by the release sweeper, and why. */
export interface Release {
  readonly riderId: string;
  readonly reason: ReleaseReason;
  readonly orderIds: readonly string[];
}

export interface ReleaseInput {
  readonly now: Date;
  readonly policy: ReleasePolicy;
  /** False when the position index could not be read this time: silence then releases nothing. */
  readonly silenceKnown: boolean;
  /** A released order is not offered back to the same rider before this. */
  readonly declineUntil: Date;
  /** Orders, at most. */
  readonly limit: number;
}

/** The dispatch queue as the metrics see it. */
export interface QueueStats {
  /** Orders waiting for a rider (orders taken back from a rider included). */
  readonly waiting: number;
  /** Since placement, of the oldest waiting order. */
  readonly oldestAgeSeconds: number;
  /** Picked-up orders whose rider has been silent for at least the grace period. */
  readonly pickedUpSilent: number;
}

export type OfflineResult = { readonly online: boolean; readonly status: RiderStatus };

/**
 * Durable dispatch state. Every write that changes what other parties see (an offer claimed, an
 * answer, a pickup, a cancellation) is one transaction, and the facts it publishes go to the outbox
 * in that same transaction. `claimOffer` is the guarantee against double assignment.
 */
/** Judges a handover at `point`: the check to publish (undefined: none made), or a refusal. */
export type JudgeHandover = (point: LatLng) => Result<HandoverCheck | undefined, CodedError>;

export interface DispatchStore {
  /** Zones with waiting orders, oldest waiting first. */
  activeZones(limit: number): Promise<string[]>;
  /** Waiting orders of a zone (oldest first) and the declines still in force for them. */
  zoneBacklog(
    zone: string,
    now: Date,
    limit: number,
  ): Promise<{ orders: DispatchOrder[]; declines: Decline[] }>;
  /** Of these riders, those a round may plan with: online, not leaving, idle or delivering, in shift. */
  dispatchableRiders(riderIds: readonly string[], now: Date): Promise<Rider[]>;
  /**
   * Atomically: the rider idle -> offered, every order waiting -> offered, the offer inserted.
   * False (and nothing changed) when any of them was no longer free.
   */
  claimOffer(claim: OfferClaim): Promise<boolean>;

  pendingOffer(riderId: string, now: Date): Promise<Offer | undefined>;
  getOffer(offerId: string): Promise<Offer | undefined>;
  respondToOffer(input: RespondInput): Promise<Result<{ offer: Offer; accepted: boolean }, CodedError>>;
  /** Treats up to `limit` pending offers past their expiry as declined; returns how many. */
  expireOffers(now: Date, declineUntil: Date, limit: number): Promise<number>;

  /**
   * The rider's pickup (delivery) of the order, once: `judge` sees the order's handover point
   * (the restaurant; the drop-off) under the order's lock and may refuse; what it returns goes
   * into the published fact. A repeat is not judged again.
   */
  markPickedUp(
    orderId: string,
    riderId: string,
    now: Date,
    judge: JudgeHandover,
  ): Promise<Result<void, CodedError>>;
  markDelivered(
    orderId: string,
    riderId: string,
    now: Date,
    judge: JudgeHandover,
  ): Promise<Result<void, CodedError>>;
  /** A customer's cancellation asks first (decideCancelHold): holds the order until `until`. */
  holdForCancellation(orderId: string, until: Date): Promise<Result<void, CodedError>>;
  /** Ends such a hold (the cancellation was refused); nothing held is fine. */
  releaseCancellationHold(orderId: string): Promise<Result<void, CodedError>>;

  /**
   * Online (upsert). A pending "offline after deliveries" request stays unless `stayOnline`: a
   * restarted app re-sending its last state must not cancel it by accident.
   */
  setOnline(riderId: string, shiftEndsAt: Date, now: Date, stayOnline: boolean): Promise<RiderStatus>;
  setOffline(riderId: string, now: Date, declineUntil: Date): Promise<Result<OfflineResult, CodedError>>;
  /** The rider's row; undefined for a rider never online. */
  getRider(riderId: string): Promise<Rider | undefined>;

  /** Applies a snapshot once (inbox claim); 'duplicate' when the event was applied before. */
  applyOrderEvent(claim: EventClaim, facts: OrderFacts): Promise<'duplicate' | OrderEventAction>;
  getOrder(orderId: string): Promise<DispatchOrder | undefined>;
  /** Orders of one offer in delivery sequence. */
  ordersOfOffer(offerId: string): Promise<DispatchOrder[]>;
  /** These orders, in any state and any order; unknown ids are left out. */
  ordersByIds(orderIds: readonly string[]): Promise<DispatchOrder[]>;
  /**
   * The rider's run: orders of offers they accepted that are assigned or picked up, and those
   * cancelled since `cancelledSince`; by acceptance time, then delivery sequence.
   */
  riderRun(riderId: string, cancelledSince: Date): Promise<RunOrder[]>;
  /**
   * Orders taken back from the rider since `since` that are not theirs again, latest release of
   * each, as run orders in state `released` (by release time).
   */
  releasedFrom(riderId: string, since: Date): Promise<RunOrder[]>;
  /** The latest release of this order from this rider, if it was ever taken back from them. */
  releaseOf(
    orderId: string,
    riderId: string,
  ): Promise<{ reason: ReleaseReason; releasedAt: Date } | undefined>;
  /**
   * What dispatch knows of one order, for ops: its row, its latest `offersLimit` offers (newest
   * first) and every offer of it counted by outcome, read in one snapshot; undefined without a row.
   */
  dispatchRecord(orderId: string, offersLimit: number): Promise<DispatchRecord | undefined>;
  /** Deletes declines past their time; returns how many. */
  purgeDeclines(now: Date, limit: number): Promise<number>;
  /**
   * Deletes up to `limit` rows of finished work placed or made before `before`: delivered and
   * cancelled orders, and offers no longer pending that no unfinished order points to. Returns
   * how many went.
   */
  purgeFinished(before: Date, limit: number): Promise<number>;

  /** Riders holding assigned or picked-up orders, by rider id after `after`, at most `limit`. */
  ridersHoldingOrders(after: string, limit: number): Promise<Pick<Rider, 'riderId' | 'silentSince'>[]>;
  /** Ends the silence of `heard`; dates the silence of `silent` from `since` where none is recorded. */
  recordSilence(heard: readonly string[], silent: readonly string[], since: Date): Promise<void>;
  /**
   * Claims up to `limit` assigned orders whose rider may have to give them back (SKIP LOCKED:
   * every replica sweeps), decides with the domain's release rules, and in one transaction puts
   * each released order back to waiting, records why and frees the rider. Returns what it did.
   */
  releaseOrders(input: ReleaseInput): Promise<Release[]>;
  /** Queue figures for the gauges; riders silent since `silentSince` or before count as silent. */
  queueStats(silentSince: Date): Promise<QueueStats>;
}

/** Zone leases (Redis): who runs which zone's rounds. */
export interface ZoneLeases {
  /** Records this replica as alive; returns how many replicas are alive (itself included). */
  heartbeat(replicaId: string): Promise<number>;
  acquire(zone: string, token: string): Promise<boolean>;
  /** Extends each lease still held with its token; false where it was lost. */
  renew(leases: readonly { zone: string; token: string }[]): Promise<boolean[]>;
  release(zone: string, token: string): Promise<void>;
  /** Removes this replica from the live set (graceful shutdown). */
  leave(replicaId: string): Promise<void>;
}
