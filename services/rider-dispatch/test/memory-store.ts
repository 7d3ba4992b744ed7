import { err, ok, type CodedError, type Result } from '@mealpeak/core';
import type {
  DispatchStore,
  JudgeHandover,
  OfflineResult,
  Release,
  ReleaseInput,
  RespondInput,
} from '../src/app/ports.ts';
import type {
  DispatchFact,
  DispatchOrder,
  DispatchOrderState,
  Offer,
  Rider,
} from '../src/domain/delivery/model.ts';
import {
  decideCancelHold,
  decideDelivery,
  decideOfferResponse,
  decideOffline,
  decideOrderEvent,
  decidePickup,
  isReadyState,
} from '../src/domain/delivery/rules.ts';
import { decideRelease } from '../src/domain/delivery/release.ts';
import { DispatchErrors } from '../src/domain/errors.ts';
import type { RunOrder } from '../src/domain/delivery/run.ts';
import type { DispatchRecord, OfferTally } from '../src/domain/delivery/dispatch-status.ts';

const t = (d: Date) => d.getTime();

/**
 * DispatchStore in memory with the pg adapter's contract. Every method mutates without awaiting in
 * between, so each is atomic like the adapter's transaction; concurrent callers interleave only
 * between calls, which is where the claim has to hold.
 */
export class MemoryDispatchStore implements DispatchStore {
  readonly orders = new Map<string, DispatchOrder>();
  readonly riders = new Map<string, Rider>();
  readonly offers = new Map<string, Offer>();
  readonly declined = new Map<string, Date>();
  readonly claims = new Set<string>();
  readonly published: DispatchFact[] = [];
  readonly releases: (Release & { at: Date; offerIds: Map<string, string | undefined> })[] = [];
  /** The pg adapter's offers.responded_at of accepted offers, and updated_at of cancellations. */
  readonly acceptedAt = new Map<string, Date>();
  readonly cancelledAt = new Map<string, Date>();
  /** The pg adapter's dispatch_orders.cancelled_from: the state a cancellation found the order in. */
  readonly cancelledFrom = new Map<string, DispatchOrderState>();
  /** offers.responded_at of every offer no longer pending (answered, expired or withdrawn). */
  readonly respondedAt = new Map<string, Date>();
  private readonly now: () => Date;
  /** `now`: the time the consumer applies order events at (the pg adapter takes the wall clock). */
  constructor(now: () => Date = () => new Date()) {
    this.now = now;
  }

  private set(o: DispatchOrder, change: Partial<DispatchOrder>) {
    this.orders.set(o.orderId, { ...o, ...change });
  }
  private setRider(riderId: string, change: Partial<Rider>) {
    const r = this.riders.get(riderId);
    if (r) this.riders.set(riderId, { ...r, ...change });
  }
  private declinedUntil(orderId: string, riderId: string) {
    return this.declined.get(`${orderId}|${riderId}`);
  }

  async activeZones(limit: number) {
    const oldest = new Map<string, number>();
    for (const o of this.orders.values())
      if (o.state === 'waiting') oldest.set(o.zone, Math.min(oldest.get(o.zone) ?? Infinity, t(o.placedAt)));
    return [...oldest]
      .sort((a, b) => a[1] - b[1])
      .map(([z]) => z)
      .slice(0, limit);
  }
  async zoneBacklog(zone: string, now: Date, limit: number) {
    const orders = [...this.orders.values()]
      .filter((o) => o.zone === zone && o.state === 'waiting')
      .sort((a, b) => t(a.placedAt) - t(b.placedAt) || (a.orderId < b.orderId ? -1 : 1))
      .slice(0, limit);
    const ids = new Set(orders.map((o) => o.orderId));
    const declines = [...this.declined]
      .filter(([k, until]) => ids.has(k.split('|')[0]!) && t(until) > t(now))
      .map(([k]) => ({ orderId: k.split('|')[0]!, riderId: k.split('|')[1]! }));
    return { orders, declines };
  }
  async dispatchableRiders(ids: readonly string[], now: Date) {
    return ids.flatMap((id) => {
      const r = this.riders.get(id);
      const ok = r && r.online && !r.offlineRequested && r.status !== 'offered' && t(r.shiftEndsAt) > t(now);
      return ok ? [r] : [];
    });
  }
  async claimOffer(c: Parameters<DispatchStore['claimOffer']>[0]) {
    const r = this.riders.get(c.riderId);
    if (!r || r.status !== 'idle' || !r.online || r.offlineRequested) return false;
    const orders = c.orderIds.map((id) => this.orders.get(id));
    const free = (o: DispatchOrder | undefined) =>
      o?.state === 'waiting' &&
      !(t(this.declinedUntil(o.orderId, c.riderId) ?? new Date(0)) > t(c.createdAt));
    if (!orders.every(free)) return false;
    orders.forEach((o, i) =>
      this.set(o!, { state: 'offered', riderId: c.riderId, offerId: c.offerId, sequence: i }),
    );
    this.setRider(c.riderId, { status: 'offered' });
    this.offers.set(c.offerId, { ...c, status: 'pending' });
    return true;
  }

  async pendingOffer(riderId: string, now: Date) {
    return [...this.offers.values()].find(
      (o) => o.riderId === riderId && o.status === 'pending' && t(o.expiresAt) > t(now),
    );
  }
  async getOffer(offerId: string) {
    return this.offers.get(offerId);
  }
  private giveBack(
    offer: Offer,
    status: 'declined' | 'expired',
    now: Date,
    until: Date,
    declinedBy: 'rider' | 'going_offline' = 'rider',
  ) {
    this.offers.set(offer.offerId, {
      ...offer,
      status,
      declinedBy: status === 'declined' ? declinedBy : undefined,
    });
    this.respondedAt.set(offer.offerId, now);
    for (const o of this.orders.values()) {
      if (o.offerId !== offer.offerId || o.state !== 'offered') continue;
      this.set(o, { state: 'waiting', riderId: undefined, offerId: undefined, sequence: undefined });
      this.declined.set(`${o.orderId}|${offer.riderId}`, until);
    }
    this.settle(offer.riderId);
  }
  private settle(riderId: string) {
    const busy = [...this.orders.values()].some(
      (o) => o.riderId === riderId && (o.state === 'assigned' || o.state === 'picked_up'),
    );
    const offered = [...this.offers.values()].some((o) => o.riderId === riderId && o.status === 'pending');
    const r = this.riders.get(riderId);
    if (!r || busy || offered) return;
    this.setRider(riderId, {
      status: 'idle',
      busyUntil: undefined,
      freePosition: undefined,
      silentSince: undefined,
      online: r.online && !r.offlineRequested,
      offlineRequested: false,
    });
  }
  async respondToOffer(
    input: RespondInput,
  ): Promise<Result<{ offer: Offer; accepted: boolean }, CodedError>> {
    const offer = this.offers.get(input.offerId);
    if (!offer) return err(DispatchErrors.offerNotFound(input.offerId));
    const decision = decideOfferResponse(offer, input.riderId, input.accept, input.now);
    if (decision.action === 'accept') {
      const bundle = [...this.orders.values()]
        .filter((o) => o.offerId === offer.offerId && o.state === 'offered')
        .sort((a, b) => a.sequence! - b.sequence!);
      bundle.forEach((o) => this.set(o, { state: 'assigned' }));
      this.offers.set(offer.offerId, { ...offer, status: 'accepted' });
      this.acceptedAt.set(offer.offerId, input.now);
      this.respondedAt.set(offer.offerId, input.now);
      this.setRider(offer.riderId, {
        status: 'delivering',
        busyUntil: input.plan?.busyUntil,
        freePosition: input.plan?.freePosition,
        silentSince: undefined,
      });
      bundle.forEach((o, i) =>
        this.published.push({
          kind: 'rider_assigned',
          orderId: o.orderId,
          riderId: offer.riderId,
          offerId: offer.offerId,
          sequence: i,
          etaPickup: input.plan?.etaPickup ?? offer.plannedPickupAt,
          assignedAt: input.now,
        }),
      );
    } else if (decision.action === 'decline' || decision.action === 'expire') {
      this.giveBack(
        offer,
        decision.action === 'decline' ? 'declined' : 'expired',
        input.now,
        input.declineUntil,
      );
    }
    if (!decision.result.ok) return decision.result;
    return ok({ offer: this.offers.get(offer.offerId)!, accepted: decision.result.value });
  }
  async expireOffers(now: Date, declineUntil: Date, limit: number) {
    const due = [...this.offers.values()]
      .filter((o) => o.status === 'pending' && t(o.expiresAt) <= t(now))
      .slice(0, limit);
    for (const o of due) this.giveBack(o, 'expired', now, declineUntil);
    return due.length;
  }

  async markPickedUp(
    orderId: string,
    riderId: string,
    now: Date,
    judge: JudgeHandover,
  ): Promise<Result<void, CodedError>> {
    const o = this.orders.get(orderId);
    if (!o) return err(DispatchErrors.orderNotFound(orderId));
    const d = decidePickup(o, riderId, now);
    if (!d.ok) return d;
    if (d.value === 'pick_up') {
      const handover = judge(o.pickup);
      if (!handover.ok) return handover;
      this.set(o, { state: 'picked_up', pickedUpAt: now });
      this.published.push({ kind: 'picked_up', orderId, riderId, handover: handover.value });
    }
    return ok(undefined);
  }
  async markDelivered(
    orderId: string,
    riderId: string,
    now: Date,
    judge: JudgeHandover,
  ): Promise<Result<void, CodedError>> {
    const o = this.orders.get(orderId);
    if (!o) return err(DispatchErrors.orderNotFound(orderId));
    const d = decideDelivery(o, riderId);
    if (!d.ok) return d;
    if (d.value === 'deliver') {
      const handover = judge(o.dropoff);
      if (!handover.ok) return handover;
      this.set(o, { state: 'delivered', deliveredAt: now });
      this.published.push({ kind: 'delivered', orderId, riderId, handover: handover.value });
      this.settle(riderId);
    }
    return ok(undefined);
  }

  async releaseCancellationHold(orderId: string): Promise<Result<void, CodedError>> {
    const o = this.orders.get(orderId);
    if (!o) return err(DispatchErrors.orderNotFound(orderId));
    this.orders.set(orderId, { ...o, cancelHoldUntil: undefined });
    return ok(undefined);
  }

  async holdForCancellation(orderId: string, until: Date): Promise<Result<void, CodedError>> {
    const o = this.orders.get(orderId);
    if (!o) return err(DispatchErrors.orderNotFound(orderId));
    const d = decideCancelHold(o);
    if (!d.ok) return d;
    if (d.value === 'hold') this.orders.set(orderId, { ...o, cancelHoldUntil: until });
    return ok(undefined);
  }

  async getRider(riderId: string) {
    return this.riders.get(riderId);
  }
  async setOnline(riderId: string, shiftEndsAt: Date, _now: Date, stayOnline: boolean) {
    const r = this.riders.get(riderId);
    const next: Rider = r
      ? {
          ...r,
          online: true,
          offlineRequested: r.offlineRequested && !stayOnline,
          shiftEndsAt,
          silentSince: undefined,
        }
      : {
          riderId,
          online: true,
          status: 'idle',
          offlineRequested: false,
          shiftEndsAt,
          busyUntil: undefined,
          freePosition: undefined,
          silentSince: undefined,
        };
    this.riders.set(riderId, next);
    return next.status;
  }
  async setOffline(
    riderId: string,
    now: Date,
    declineUntil: Date,
  ): Promise<Result<OfflineResult, CodedError>> {
    const r = this.riders.get(riderId);
    if (!r) return err(DispatchErrors.riderNotFound(riderId));
    if (!r.online) return ok({ online: false, status: r.status });
    const action = decideOffline(r.status);
    if (action === 'after_deliveries') {
      this.setRider(riderId, { offlineRequested: true });
      return ok({ online: true, status: r.status });
    }
    if (action === 'decline_offer')
      for (const o of [...this.offers.values()])
        if (o.riderId === riderId && o.status === 'pending')
          this.giveBack(o, 'declined', now, declineUntil, 'going_offline');
    this.setRider(riderId, { online: false, status: 'idle', offlineRequested: false });
    return ok({ online: false, status: 'idle' });
  }

  async applyOrderEvent(
    claim: { consumer: string; eventId: string },
    f: Parameters<DispatchStore['applyOrderEvent']>[1],
  ) {
    const key = `${claim.consumer}:${claim.eventId}`;
    if (this.claims.has(key)) return 'duplicate' as const;
    this.claims.add(key);
    const before = this.orders.get(f.orderId);
    const action = decideOrderEvent(before, f.toState, f.version);
    if (action === 'insert' || action === 'tombstone') {
      const { toState: _, version, ...rest } = f;
      this.orders.set(f.orderId, {
        ...rest,
        version,
        ready: isReadyState(f.toState),
        state: action === 'insert' ? 'waiting' : 'cancelled',
        riderId: undefined,
        offerId: undefined,
        sequence: undefined,
        pickedUpAt: undefined,
        deliveredAt: undefined,
      });
      if (action === 'tombstone') this.cancelledAt.set(f.orderId, this.now());
    } else if (before && action === 'refresh') {
      this.set(before, {
        expectedReadyAt: f.expectedReadyAt,
        promisedAt: f.promisedAt,
        ready: before.ready || isReadyState(f.toState),
        version: f.version,
        dropoffAddress: f.dropoffAddress,
        // As the pg store: a snapshot without them (an older order service) keeps what we have.
        merchantName: f.merchantName || before.merchantName,
        pickupAddress: f.pickupAddress || before.pickupAddress,
      });
    } else if (before && action === 'cancel') {
      this.set(before, { state: 'cancelled', version: f.version });
      this.cancelledAt.set(f.orderId, this.now());
      this.cancelledFrom.set(f.orderId, before.state);
      const offer = before.offerId ? this.offers.get(before.offerId) : undefined;
      const stillOffered = [...this.orders.values()].some(
        (o) => o.offerId === before.offerId && o.state === 'offered',
      );
      if (before.state === 'offered' && offer?.status === 'pending' && !stillOffered) {
        this.offers.set(offer.offerId, { ...offer, status: 'withdrawn' });
        this.respondedAt.set(offer.offerId, this.now());
      }
      if (before.riderId) this.settle(before.riderId);
    }
    return action;
  }
  async getOrder(orderId: string) {
    return this.orders.get(orderId);
  }
  async ordersOfOffer(offerId: string) {
    return [...this.orders.values()]
      .filter((o) => o.offerId === offerId)
      .sort((a, b) => (a.sequence ?? 0) - (b.sequence ?? 0));
  }
  async ordersByIds(orderIds: readonly string[]) {
    return orderIds.flatMap((id) => this.orders.get(id) ?? []);
  }
  async riderRun(riderId: string, cancelledSince: Date): Promise<RunOrder[]> {
    const run: RunOrder[] = [];
    for (const o of this.orders.values()) {
      const offer = o.offerId ? this.offers.get(o.offerId) : undefined;
      const assignedAt = offer && this.acceptedAt.get(offer.offerId);
      if (o.riderId !== riderId || offer?.status !== 'accepted' || offer.riderId !== riderId || !assignedAt)
        continue;
      const cancelledAt = this.cancelledAt.get(o.orderId);
      const from = this.cancelledFrom.get(o.orderId);
      const live = o.state === 'assigned' || o.state === 'picked_up';
      const recentlyCancelled =
        o.state === 'cancelled' &&
        cancelledAt &&
        t(cancelledAt) >= t(cancelledSince) &&
        (from === 'assigned' || from === 'picked_up'); // cancelled while only offered: never theirs
      if (!live && !recentlyCancelled) continue;
      run.push({
        orderId: o.orderId,
        state: o.state,
        offerId: offer.offerId,
        sequence: o.sequence ?? 0,
        pickup: o.pickup,
        dropoff: o.dropoff,
        dropoffAddress: o.dropoffAddress,
        merchantId: o.merchantId,
        merchantName: o.merchantName,
        pickupAddress: o.pickupAddress,
        ready: o.ready,
        expectedReadyAt: o.expectedReadyAt,
        assignedAt,
        pickedUpAt: o.pickedUpAt,
        cancelledAt: o.state === 'cancelled' ? cancelledAt : undefined,
      });
    }
    return run.sort((a, b) => t(a.assignedAt) - t(b.assignedAt) || a.sequence - b.sequence);
  }
  async releasedFrom(riderId: string, since: Date): Promise<RunOrder[]> {
    const latest = new Map<string, RunOrder>();
    for (const r of this.releases) {
      if (r.riderId !== riderId || t(r.at) < t(since)) continue;
      for (const orderId of r.orderIds) {
        const o = this.orders.get(orderId);
        if (!o) continue;
        const back =
          o.riderId === riderId &&
          ['offered', 'assigned', 'picked_up', 'delivered', 'cancelled'].includes(o.state);
        if (back) continue;
        const offerId = r.offerIds.get(orderId) ?? '';
        const offer = this.offers.get(offerId);
        latest.set(orderId, {
          orderId,
          state: 'released',
          offerId,
          sequence: Math.max(0, offer?.orderIds.indexOf(orderId) ?? 0),
          pickup: o.pickup,
          dropoff: o.dropoff,
          dropoffAddress: o.dropoffAddress,
          merchantId: o.merchantId,
          merchantName: o.merchantName,
          pickupAddress: o.pickupAddress,
          ready: o.ready,
          expectedReadyAt: o.expectedReadyAt,
          assignedAt: this.acceptedAt.get(offerId) ?? r.at,
          pickedUpAt: undefined,
          cancelledAt: undefined,
          releasedAt: r.at,
          releaseReason: r.reason,
        });
      }
    }
    return [...latest.values()].sort((a, b) => t(a.releasedAt!) - t(b.releasedAt!));
  }
  async releaseOf(orderId: string, riderId: string) {
    const r = this.releases.findLast((x) => x.riderId === riderId && x.orderIds.includes(orderId));
    return r && { reason: r.reason, releasedAt: r.at };
  }
  async dispatchRecord(orderId: string, offersLimit: number): Promise<DispatchRecord | undefined> {
    const order = this.orders.get(orderId);
    if (!order) return undefined;
    const releaseOf = (offerId: string) =>
      this.releases.findLast((r) => r.orderIds.includes(orderId) && r.offerIds.get(orderId) === offerId);
    const offers = [...this.offers.values()]
      .filter((f) => f.orderIds.includes(orderId))
      .sort((a, b) => t(b.createdAt) - t(a.createdAt) || (a.offerId < b.offerId ? 1 : -1))
      .map((f) => {
        const release = f.status === 'accepted' ? releaseOf(f.offerId) : undefined;
        const withdrawn =
          order.state === 'cancelled' &&
          order.offerId === f.offerId &&
          this.cancelledFrom.get(orderId) === 'offered';
        return {
          offerId: f.offerId,
          riderId: f.riderId,
          orderIds: f.orderIds,
          status: f.status,
          declinedBy: f.declinedBy,
          offeredAt: f.createdAt,
          expiresAt: f.expiresAt,
          respondedAt: this.respondedAt.get(f.offerId),
          release: release && { reason: release.reason, releasedAt: release.at },
          withdrawn,
        };
      });
    const tallies = new Map<string, OfferTally>();
    for (const f of offers) {
      const facts = {
        status: f.status,
        declinedBy: f.declinedBy,
        released: f.release !== undefined,
        withdrawn: f.withdrawn,
      };
      const key = JSON.stringify(facts);
      tallies.set(key, { ...facts, count: (tallies.get(key)?.count ?? 0) + 1 });
    }
    return {
      order,
      // As the pg adapter's updated_at where it matters: the cancellation of a cancelled order.
      updatedAt: this.cancelledAt.get(orderId) ?? order.placedAt,
      recentOffers: offers.slice(0, offersLimit),
      tallies: [...tallies.values()],
    };
  }
  async purgeFinished(before: Date, limit: number) {
    const final = (o: DispatchOrder) => o.state === 'delivered' || o.state === 'cancelled';
    const orders = [...this.orders.values()]
      .filter((o) => final(o) && t(o.placedAt) < t(before))
      .slice(0, limit);
    for (const o of orders) this.orders.delete(o.orderId);
    const inUse = new Set([...this.orders.values()].filter((o) => !final(o)).map((o) => o.offerId));
    const offers = [...this.offers.values()]
      .filter((f) => f.status !== 'pending' && t(f.createdAt) < t(before) && !inUse.has(f.offerId))
      .slice(0, limit - orders.length);
    for (const f of offers) this.offers.delete(f.offerId);
    return orders.length + offers.length;
  }

  async purgeDeclines(now: Date, limit: number) {
    const due = [...this.declined].filter(([, until]) => t(until) <= t(now)).slice(0, limit);
    for (const [k] of due) this.declined.delete(k);
    return due.length;
  }

  async ridersHoldingOrders(after: string, limit: number) {
    const holding = new Set(
      [...this.orders.values()]
        .filter((o) => o.riderId && (o.state === 'assigned' || o.state === 'picked_up'))
        .map((o) => o.riderId!),
    );
    return [...this.riders.values()]
      .filter((r) => holding.has(r.riderId) && r.riderId > after)
      .sort((a, b) => (a.riderId < b.riderId ? -1 : 1))
      .slice(0, limit)
      .map((r) => ({ riderId: r.riderId, silentSince: r.silentSince }));
  }
  async recordSilence(heard: readonly string[], silent: readonly string[], since: Date) {
    for (const id of heard) this.setRider(id, { silentSince: undefined });
    for (const id of silent) if (!this.riders.get(id)?.silentSince) this.setRider(id, { silentSince: since });
  }
  async releaseOrders({ now, policy, silenceKnown, declineUntil, limit }: ReleaseInput) {
    const out: Release[] = [];
    let budget = limit;
    for (const rider of [...this.riders.values()].sort((a, b) => (a.riderId < b.riderId ? -1 : 1))) {
      if (budget <= 0) break;
      const held = [...this.orders.values()]
        .filter((o) => o.riderId === rider.riderId && o.state === 'assigned')
        .slice(0, budget);
      const decision = decideRelease(rider, held, now, policy, silenceKnown);
      if (!decision) continue;
      const offerIds = new Map(decision.release.map((id) => [id, this.orders.get(id)!.offerId]));
      for (const id of decision.release) {
        this.set(this.orders.get(id)!, {
          state: 'waiting',
          riderId: undefined,
          offerId: undefined,
          sequence: undefined,
        });
        this.declined.set(`${id}|${rider.riderId}`, declineUntil);
      }
      this.settle(rider.riderId);
      budget -= decision.release.length;
      const release = { riderId: rider.riderId, reason: decision.reason, orderIds: decision.release };
      this.releases.push({ ...release, at: now, offerIds });
      out.push(release);
    }
    return out;
  }
  async queueStats(silentSince: Date) {
    const waiting = [...this.orders.values()].filter((o) => o.state === 'waiting');
    const oldest = Math.min(...waiting.map((o) => t(o.placedAt)));
    const silent = [...this.orders.values()].filter((o) => {
      const since = o.riderId ? this.riders.get(o.riderId)?.silentSince : undefined;
      return o.state === 'picked_up' && since !== undefined && t(since) <= t(silentSince);
    });
    return {
      waiting: waiting.length,
      oldestAgeSeconds: waiting.length > 0 ? (Date.now() - oldest) / 1000 : 0,
      pickedUpSilent: silent.length,
    };
  }
}
