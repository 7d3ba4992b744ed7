import { err, isUuid, ok, type CodedError, type Result } from '@mealpeak/core';
import type { Logger } from '@mealpeak/telemetry';
import { planRoute, type DispatchParams } from '../domain/dispatch/index.ts';
import type { DispatchOrder, Offer } from '../domain/delivery/model.ts';
import { offerDetails, type OfferDetails } from '../domain/delivery/run.ts';
import { DispatchErrors } from '../domain/errors.ts';
import { createLocalProjection, type LatLng } from '../domain/geo/projection.ts';
import type { AcceptPlan, Clock, DispatchStore, Positions } from './ports.ts';
import type { DispatchSettings } from './settings.ts';
import { requireIds } from './validation.ts';

export interface OfferDeps {
  readonly store: DispatchStore;
  readonly positions: Pick<Positions, 'get'>;
  readonly clock: Clock;
  readonly settings: DispatchSettings;
  readonly params: DispatchParams;
  readonly logger: Logger;
}

/**
 * The run a rider commits to by accepting: from where they are now (the restaurant if their
 * position is unknown), by the engine's own route rules. Gives RiderAssigned its eta_pickup and
 * the next rounds the time and place the rider is free again.
 */
export function planAcceptedRun(
  orders: readonly DispatchOrder[],
  riderAt: LatLng | undefined,
  now: Date,
  params: DispatchParams,
): AcceptPlan | undefined {
  const first = orders[0];
  if (!first) return undefined;
  const projection = createLocalProjection(first.pickup);
  const snapshots = orders.map((o) => ({
    id: o.orderId,
    restaurantId: o.merchantId,
    pickup: projection.toPoint(first.pickup),
    dropoff: projection.toPoint(o.dropoff),
    placedAt: o.placedAt.getTime() / 1000,
    readyAt: o.ready ? now.getTime() / 1000 : o.expectedReadyAt.getTime() / 1000,
    promisedBy: o.promisedAt.getTime() / 1000,
  }));
  const plan = planRoute(
    { position: projection.toPoint(riderAt ?? first.pickup), departAt: now.getTime() / 1000 },
    snapshots,
    params.travel,
    params,
  );
  return {
    etaPickup: new Date(plan.pickupAt * 1000),
    busyUntil: new Date(plan.freeAt * 1000),
    freePosition: orders.at(-1)!.dropoff,
  };
}

export function createOfferUseCases(deps: OfferDeps) {
  const { store, clock, settings } = deps;
  const declineUntil = (now: Date) => new Date(now.getTime() + settings.declineCooldownMs);
  // One indexed read, only when there is an offer to show (most polls find none).
  const withOrders = async (offer: Offer): Promise<OfferDetails> =>
    offerDetails(offer, await store.ordersByIds(offer.orderIds));

  return {
    /**
     * The rider's pending offer with each order's drop-off, if any (an expired one is already gone
     * for the rider).
     */
    async getOffer(riderId: string): Promise<Result<OfferDetails | undefined, CodedError>> {
      const valid = requireIds({ riderId });
      if (!valid.ok) return valid;
      const offer = await store.pendingOffer(riderId, clock.now());
      return ok(offer && (await withOrders(offer)));
    },

    async respondToOffer(
      riderId: string,
      offerId: string,
      accept: boolean,
    ): Promise<Result<{ offer: OfferDetails; accepted: boolean }, CodedError>> {
      const valid = requireIds({ riderId, offerId });
      if (!valid.ok) return valid;
      if (!isUuid(offerId)) return err(DispatchErrors.offerNotFound(offerId));
      const offer = await store.getOffer(offerId);
      if (!offer || offer.riderId !== riderId) return err(DispatchErrors.offerNotFound(offerId));
      const now = clock.now();
      let plan: AcceptPlan | undefined;
      if (accept && offer.status === 'pending') {
        const orders = (await store.ordersOfOffer(offerId)).filter((o) => o.state === 'offered');
        const position = await deps.positions.get(riderId).catch((error: unknown) => {
          // The plan is an estimate: without Redis the rider is assumed at the restaurant.
          deps.logger.warn({ err: error, riderId }, 'rider position unavailable for the accept plan');
          return undefined;
        });
        plan = planAcceptedRun(orders, position, now, deps.params);
      }
      const answer = await store.respondToOffer({
        offerId,
        riderId,
        accept,
        now,
        declineUntil: declineUntil(now),
        plan,
      });
      // Any answer to an accepted offer whose orders were all taken back since says so, and why
      // (a repeated accept is not "accepted", a decline not "already accepted").
      const released = async (details: OfferDetails) => {
        if (offer.status !== 'accepted' || details.orders.length > 0) return undefined;
        const release = offer.orderIds[0] && (await store.releaseOf(offer.orderIds[0], riderId));
        return err(DispatchErrors.offerReleased(offerId, release ? release.reason : undefined));
      };
      if (!answer.ok) {
        if (answer.error.code !== 'OFFER_ALREADY_ANSWERED') return answer;
        return (await released(await withOrders(offer))) ?? answer;
      }
      const details = await withOrders(answer.value.offer);
      return (await released(details)) ?? ok({ ...answer.value, offer: details });
    },

    /** Pending offers past their expiry count as declined; returns how many. Any replica may run it. */
    async expireOffers(limit = 100): Promise<number> {
      const now = clock.now();
      return store.expireOffers(now, declineUntil(now), limit);
    },

    async purgeDeclines(limit = 1_000): Promise<number> {
      return store.purgeDeclines(clock.now(), limit);
    },

    /**
     * Forgets delivered and cancelled orders and their answered offers once older than
     * `retentionHours` (past the order topic's retention plus lag, so no event about them can
     * still arrive); how many rows went.
     */
    async purgeFinished(retentionHours: number, limit = 1_000): Promise<number> {
      return store.purgeFinished(new Date(clock.now().getTime() - retentionHours * 3_600_000), limit);
    },
  };
}
