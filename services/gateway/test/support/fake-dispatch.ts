import { codedError, err, ok, type CodedError, type Result } from '@mealpeak/core';
import {
  DispatchPhase,
  NotOfferableReason,
  OfferOutcome,
  RiderStatus,
  RunOrderState,
  type Offer,
  type OrderOffer,
  type RiderShift,
  type RunOrder,
} from '@mealpeak/contracts/dispatch.v1';
import type { DispatchPort } from '../../src/app/ports.ts';

/**
 * An in-memory DispatchService answering with the codes and kinds of services/rider-dispatch
 * (src/domain/errors.ts, src/domain/delivery/rules.ts): another rider's offer is OFFER_NOT_FOUND,
 * another rider's order ORDER_NOT_HELD, a repeated answer or pickup is OK.
 */

type OfferStatus = 'pending' | 'accepted' | 'declined' | 'expired';
type DeliveryState = 'waiting' | 'assigned' | 'picked_up' | 'delivered' | 'cancelled';

export interface FakeOffer {
  offerId: string;
  riderId: string;
  orderIds: string[];
  status: OfferStatus;
  expiresAt: Date;
}

export interface FakeDelivery {
  orderId: string;
  state: DeliveryState;
  riderId: string;
  ready: boolean;
  position?: { lat: number; lng: number; at: Date };
  eta: Date;
  /** When the rider accepted it (the run lists it from then on). */
  assignedAt: Date;
  pickedUpAt?: Date;
  cancelledAt?: Date;
  /** Taken back from this rider (ADR 0013), with dispatch's reason (order_releases.reason). */
  releasedFrom?: { riderId: string; reason: string; at: Date };
  /** The rider is this far from the drop-off under HANDOVER_CHECK=enforce: delivery refused. */
  farFromDropoffM?: number;
}

/** Every fake order goes to the same door; the address names the order so tests can tell them apart. */
export const FAKE_DROPOFF = { lat: 52.5, lng: 13.4 };
export const fakeAddress = (orderId: string) => `Door of ${orderId}`;
export const FAKE_MERCHANT = 'm-1';
export const FAKE_READY_AT = new Date('2026-11-22T12:20:00.000Z');

const E = {
  invalid: (field: string, message: string) =>
    codedError('invalid', 'INVALID_ARGUMENT', `${field}: ${message}`, [{ field, message }]),
  riderNotFound: (id: string) =>
    codedError('not_found', 'RIDER_NOT_FOUND', `rider ${id} has never been online`),
  offerNotFound: (id: string) => codedError('not_found', 'OFFER_NOT_FOUND', `no offer ${id} for this rider`),
  offerExpired: (id: string) => codedError('conflict', 'OFFER_EXPIRED', `offer ${id} expired`),
  answered: (id: string, s: string) =>
    codedError('conflict', 'OFFER_ALREADY_ANSWERED', `offer ${id} was ${s}`),
  orderNotFound: (id: string) => codedError('not_found', 'ORDER_NOT_FOUND', `dispatch knows no order ${id}`),
  notHeld: (id: string) =>
    codedError('forbidden', 'ORDER_NOT_HELD', `order ${id} is not assigned to this rider`),
  notReady: (id: string) => codedError('conflict', 'ORDER_NOT_READY', `order ${id} is not ready yet`),
  notPickedUp: (id: string) => codedError('conflict', 'ORDER_NOT_PICKED_UP', `pick up order ${id} first`),
  notAtDropoff: (id: string, m: number) =>
    codedError('conflict', 'NOT_AT_DROPOFF', `your last position is ${m} m from the drop-off of order ${id}`),
  cancelled: (id: string) => codedError('conflict', 'ORDER_CANCELLED', `order ${id} was cancelled`),
  released: (id: string) =>
    codedError(
      'conflict',
      'ORDER_RELEASED',
      `order ${id} was taken back from you, do not collect it: you went offline`,
    ),
};

export class FakeDispatch {
  readonly riders = new Map<string, RiderStatus>();
  /** Riders who asked to go offline while delivering. */
  readonly leaving = new Set<string>();
  readonly shiftEnds = new Map<string, Date>();
  readonly offers = new Map<string, FakeOffer>();
  readonly deliveries = new Map<string, FakeDelivery>();
  /** Every call, as `method:argument` (rider or order id), to check what reached dispatch. */
  readonly calls: string[] = [];
  /** When set, the next call of this method answers this error instead. */
  readonly failures = new Map<keyof DispatchPort, CodedError>();
  now = () => new Date();

  addOffer(offer: Partial<FakeOffer> & { offerId: string; riderId: string }): FakeOffer {
    const full: FakeOffer = {
      orderIds: [],
      status: 'pending',
      expiresAt: new Date(this.now().getTime() + 30_000),
      ...offer,
    };
    this.offers.set(full.offerId, full);
    this.riders.set(full.riderId, RiderStatus.RIDER_STATUS_OFFERED);
    return full;
  }

  addDelivery(d: Partial<FakeDelivery> & { orderId: string }): FakeDelivery {
    const full: FakeDelivery = {
      state: 'assigned',
      riderId: '',
      ready: true,
      eta: new Date('2026-11-22T12:40:00.000Z'),
      assignedAt: new Date('2026-11-22T12:10:00.000Z'),
      ...d,
    };
    this.deliveries.set(full.orderId, full);
    return full;
  }

  private enter(method: keyof DispatchPort, arg: string): CodedError | undefined {
    this.calls.push(`${method}:${arg}`);
    const f = this.failures.get(method);
    if (f) this.failures.delete(method);
    return f;
  }

  private held(riderId: string, orderId: string): Result<FakeDelivery, CodedError> {
    const d = this.deliveries.get(orderId);
    if (!d) return err(E.orderNotFound(orderId));
    if (d.releasedFrom?.riderId === riderId && (d.riderId !== riderId || d.state === 'waiting'))
      return err(E.released(orderId));
    if (d.riderId !== riderId || d.state === 'waiting') return err(E.notHeld(orderId));
    if (d.state === 'cancelled') return err(E.cancelled(orderId));
    return ok(d);
  }

  /** Every fake order comes from FAKE_MERCHANT; readiness is the delivery's (ready if unknown). */
  private collection(orderId: string) {
    const d = this.deliveries.get(orderId);
    return {
      merchantId: FAKE_MERCHANT,
      // As for orders placed before the restaurant was copied into them: see to-json.test.ts.
      merchantName: '',
      pickupAddress: '',
      ready: d?.ready ?? true,
      expectedReadyAt: FAKE_READY_AT,
    };
  }

  private proto(o: FakeOffer): Offer {
    return {
      offerId: o.offerId,
      riderId: o.riderId,
      orderIds: [...o.orderIds],
      pickup: { lat: 52.52, lng: 13.405 },
      expiresAt: o.expiresAt,
      orders: o.orderIds.map((orderId, sequence) => ({
        orderId,
        sequence,
        dropoff: FAKE_DROPOFF,
        dropoffAddress: fakeAddress(orderId),
        cancelled: this.deliveries.get(orderId)?.state === 'cancelled',
        ...this.collection(orderId),
      })),
    };
  }

  private shift(riderId: string): RiderShift {
    const status = this.riders.get(riderId) ?? RiderStatus.RIDER_STATUS_OFFLINE;
    const shiftEndsAt = this.shiftEnds.get(riderId);
    const reason =
      status === RiderStatus.RIDER_STATUS_OFFLINE
        ? NotOfferableReason.NOT_OFFERABLE_REASON_OFFLINE
        : this.leaving.has(riderId)
          ? NotOfferableReason.NOT_OFFERABLE_REASON_LEAVING
          : shiftEndsAt && shiftEndsAt <= this.now()
            ? NotOfferableReason.NOT_OFFERABLE_REASON_SHIFT_ENDED
            : NotOfferableReason.NOT_OFFERABLE_REASON_UNSPECIFIED;
    return {
      status,
      leaving: this.leaving.has(riderId),
      shiftEndsAt,
      offerable: reason === NotOfferableReason.NOT_OFFERABLE_REASON_UNSPECIFIED,
      reason,
    };
  }

  readonly port: DispatchPort = {
    getRider: async (riderId) => {
      const f = this.enter('getRider', riderId);
      return f ? err(f) : ok(this.shift(riderId));
    },

    setRiderOnline: async (request) => {
      const f = this.enter('setRiderOnline', request.riderId);
      if (f) return err(f);
      if (request.online) {
        if (request.shiftEndsAt && request.shiftEndsAt <= this.now())
          return err(E.invalid('shiftEndsAt', 'must be in the future'));
        const status = this.riders.get(request.riderId);
        const keep = status !== undefined && status !== RiderStatus.RIDER_STATUS_OFFLINE;
        this.riders.set(request.riderId, keep ? status : RiderStatus.RIDER_STATUS_IDLE);
        this.shiftEnds.set(
          request.riderId,
          request.shiftEndsAt ?? new Date(this.now().getTime() + 8 * 3_600_000),
        );
        if (request.stayOnline) this.leaving.delete(request.riderId);
        return ok(this.shift(request.riderId));
      }
      const status = this.riders.get(request.riderId);
      if (status === undefined) return err(E.riderNotFound(request.riderId));
      // Delivering: offline after the current deliveries, so the answer is still DELIVERING.
      if (status === RiderStatus.RIDER_STATUS_DELIVERING) {
        this.leaving.add(request.riderId);
        return ok(this.shift(request.riderId));
      }
      this.riders.set(request.riderId, RiderStatus.RIDER_STATUS_OFFLINE);
      return ok(this.shift(request.riderId));
    },

    getOffer: async (riderId) => {
      const f = this.enter('getOffer', riderId);
      if (f) return err(f);
      const pending = [...this.offers.values()].find(
        (o) => o.riderId === riderId && o.status === 'pending' && o.expiresAt > this.now(),
      );
      return ok(pending && this.proto(pending));
    },

    respondToOffer: async (riderId, offerId, accept) => {
      const f = this.enter('respondToOffer', riderId);
      if (f) return err(f);
      const offer = this.offers.get(offerId);
      if (!offer || offer.riderId !== riderId) return err(E.offerNotFound(offerId));
      const answer = ok({ offer: this.proto(offer), accepted: accept });
      switch (offer.status) {
        case 'pending':
          if (offer.expiresAt <= this.now()) {
            offer.status = 'expired';
            return err(E.offerExpired(offerId));
          }
          offer.status = accept ? 'accepted' : 'declined';
          this.riders.set(
            riderId,
            accept ? RiderStatus.RIDER_STATUS_DELIVERING : RiderStatus.RIDER_STATUS_IDLE,
          );
          for (const orderId of offer.orderIds)
            if (accept) this.addDelivery({ orderId, riderId, state: 'assigned', assignedAt: this.now() });
          return answer;
        case 'accepted':
          return accept ? answer : err(E.answered(offerId, 'accepted'));
        case 'declined':
          return accept ? err(E.answered(offerId, 'declined')) : answer;
        case 'expired':
          return accept ? err(E.offerExpired(offerId)) : answer;
      }
    },

    markPickedUp: async (riderId, orderId) => {
      const f = this.enter('markPickedUp', orderId);
      if (f) return err(f);
      const held = this.held(riderId, orderId);
      if (!held.ok) return held;
      const d = held.value;
      if (d.state === 'assigned') {
        if (!d.ready) return err(E.notReady(orderId));
        d.state = 'picked_up';
        d.pickedUpAt = this.now();
      }
      return ok(orderId);
    },

    markDelivered: async (riderId, orderId) => {
      const f = this.enter('markDelivered', orderId);
      if (f) return err(f);
      const held = this.held(riderId, orderId);
      if (!held.ok) return held;
      const d = held.value;
      if (d.state === 'assigned') return err(E.notPickedUp(orderId));
      if (d.farFromDropoffM) return err(E.notAtDropoff(orderId, d.farFromDropoffM));
      d.state = 'delivered';
      return ok(orderId);
    },

    holdForCancellation: async (orderId, _ctx, release = false) => {
      const f = this.enter('holdForCancellation', release ? `${orderId} release` : orderId);
      if (f) return err(f);
      const d = this.deliveries.get(orderId);
      if (!d) return err(codedError('not_found', 'ORDER_NOT_FOUND', `dispatch knows no order ${orderId}`));
      if (d.state === 'picked_up' || d.state === 'delivered')
        return err(codedError('conflict', 'ORDER_PICKED_UP', `order ${orderId} is already with its rider`));
      return ok(undefined);
    },

    listRiderOrders: async (riderId) => {
      const f = this.enter('listRiderOrders', riderId);
      if (f) return err(f);
      const state = {
        assigned: RunOrderState.RUN_ORDER_STATE_ASSIGNED,
        picked_up: RunOrderState.RUN_ORDER_STATE_PICKED_UP,
        cancelled: RunOrderState.RUN_ORDER_STATE_CANCELLED,
      };
      return ok(
        [...this.deliveries.values()].flatMap((d): RunOrder[] => {
          const released = d.releasedFrom?.riderId === riderId && d.riderId !== riderId;
          if (!released && (d.riderId !== riderId || !(d.state in state))) return [];
          const offer = [...this.offers.values()].find((o) => o.orderIds.includes(d.orderId));
          return [
            {
              orderId: d.orderId,
              state: released ? RunOrderState.RUN_ORDER_STATE_RELEASED : state[d.state as keyof typeof state],
              offerId: offer?.offerId ?? '',
              sequence: offer ? offer.orderIds.indexOf(d.orderId) : 0,
              pickup: { lat: 52.52, lng: 13.405 },
              dropoff: FAKE_DROPOFF,
              dropoffAddress: fakeAddress(d.orderId),
              ...this.collection(d.orderId),
              assignedAt: d.assignedAt,
              pickedUpAt: d.pickedUpAt,
              cancelledAt: d.state === 'cancelled' && !released ? d.cancelledAt : undefined,
              releasedAt: released ? d.releasedFrom?.at : undefined,
              releaseReason: released ? d.releasedFrom!.reason : '',
            },
          ];
        }),
      );
    },

    getDispatchStatus: async (orderId) => {
      const f = this.enter('getDispatchStatus', orderId);
      if (f) return err(f);
      const d = this.deliveries.get(orderId);
      const offers = [...this.offers.values()].filter((o) => o.orderIds.includes(orderId)).reverse();
      const pending = offers.find((o) => o.status === 'pending');
      if (!d && offers.length === 0) return err(E.orderNotFound(orderId));
      const outcome = {
        pending: OfferOutcome.OFFER_OUTCOME_PENDING,
        accepted: OfferOutcome.OFFER_OUTCOME_ACCEPTED,
        declined: OfferOutcome.OFFER_OUTCOME_DECLINED,
        expired: OfferOutcome.OFFER_OUTCOME_EXPIRED,
      };
      const view = (o: FakeOffer): OrderOffer => ({
        offerId: o.offerId,
        riderId: o.riderId,
        outcome: outcome[o.status],
        offeredAt: new Date(o.expiresAt.getTime() - 30_000),
        expiresAt: o.expiresAt,
        answeredAt: o.status === 'pending' ? undefined : o.expiresAt,
        releasedAt: undefined,
        releaseReason: '',
        orderIds: [...o.orderIds],
      });
      const phase = {
        waiting: DispatchPhase.DISPATCH_PHASE_WAITING,
        assigned: DispatchPhase.DISPATCH_PHASE_ASSIGNED,
        picked_up: DispatchPhase.DISPATCH_PHASE_PICKED_UP,
        delivered: DispatchPhase.DISPATCH_PHASE_DELIVERED,
        cancelled: DispatchPhase.DISPATCH_PHASE_CANCELLED,
      };
      const held = d && d.state !== 'waiting' ? d : undefined;
      const count = (status: OfferStatus) => offers.filter((o) => o.status === status).length;
      return ok({
        orderId,
        phase: pending ? DispatchPhase.DISPATCH_PHASE_OFFERED : phase[d?.state ?? 'waiting'],
        zone: 'z3000:1:2',
        merchantId: FAKE_MERCHANT,
        placedAt: new Date('2026-11-22T12:00:00.000Z'),
        ready: d?.ready ?? false,
        expectedReadyAt: FAKE_READY_AT,
        pendingOffer: pending && view(pending),
        riderId: held?.riderId ?? '',
        assignedAt: held?.assignedAt,
        pickedUpAt: held?.pickedUpAt,
        deliveredAt: undefined,
        cancelledAt: held?.cancelledAt,
        cancelHoldUntil: undefined,
        offerCounts: {
          accepted: count('accepted'),
          released: 0,
          declined: count('declined'),
          declinedGoingOffline: 0,
          expired: count('expired'),
          withdrawn: 0,
        },
        recentOffers: offers.map(view),
      });
    },

    getDeliveryTracking: async (orderId) => {
      const f = this.enter('getDeliveryTracking', orderId);
      if (f) return err(f);
      const d = this.deliveries.get(orderId);
      if (!d) return err(E.orderNotFound(orderId));
      if (d.state === 'cancelled') return err(E.cancelled(orderId));
      const live = d.state === 'assigned' || d.state === 'picked_up';
      return ok({
        orderId,
        riderId: d.state === 'waiting' ? '' : d.riderId,
        riderPosition: live && d.position ? { lat: d.position.lat, lng: d.position.lng } : undefined,
        positionAt: live ? d.position?.at : undefined,
        eta: d.eta,
      });
    },
  };
}
