import type { Logger } from '@mealpeak/telemetry';
import type { Assignment } from '../domain/dispatch/index.ts';
import type { DispatchOrder, OfferClaim } from '../domain/delivery/model.ts';
import type { Clock, DispatchStore, Ids, Positions } from './ports.ts';
import { decideRound, planRound } from './round-snapshot.ts';
import type { DispatchModel, DispatchSettings } from './settings.ts';

export interface RoundReport {
  readonly zone: string;
  readonly orders: number;
  readonly riders: number;
  readonly offers: number;
  /** Assignments whose claim failed: a rider or order taken meanwhile (another round, a response). */
  readonly conflicts: number;
}

export interface RoundDeps {
  readonly store: DispatchStore;
  readonly positions: Pick<Positions, 'nearby'>;
  readonly clock: Clock;
  readonly ids: Ids;
  readonly settings: DispatchSettings;
  readonly model: DispatchModel;
  readonly logger: Logger;
}

/** Claims run a few at a time: each is its own short transaction. */
const CLAIM_CONCURRENCY = 4;

/**
 * One dispatch round for one zone: snapshot (waiting orders + riders near the zone with a fresh
 * position), decide with the engine, then claim every assignment atomically. Correct on any
 * replica at any time, lease or not: a claim that finds its rider or an order taken is skipped,
 * and the next round re-plans it (docs/dispatch-service.md#rounds).
 */
export function createRoundRunner(deps: RoundDeps): (zone: string) => Promise<RoundReport> {
  const { store, positions, clock, ids, settings, model } = deps;
  return async (zone) => {
    const now = clock.now();
    const empty = { zone, orders: 0, riders: 0, offers: 0, conflicts: 0 };
    const centre = model.grid.centreOf(zone);
    if (!centre) {
      deps.logger.warn({ zone }, 'zone id not understood; skipping its round');
      return empty;
    }
    const { orders, declines } = await store.zoneBacklog(zone, now, settings.maxOrdersPerRound);
    if (orders.length === 0) return empty;
    const nearby = await positions.nearby(centre, settings.zoneRiderRadiusM, settings.maxRidersPerRound);
    const where = new Map(nearby.map((n) => [n.riderId, n]));
    const riders = (await store.dispatchableRiders([...where.keys()], now)).map((rider) => ({
      rider,
      position: where.get(rider.riderId)!,
    }));
    const plan = planRound({ now, centre, orders, riders, declines });
    const assignments = decideRound(plan, model.strategy, model.params);
    const byId = new Map(orders.map((o) => [o.orderId, o]));
    let offers = 0;
    for (let i = 0; i < assignments.length; i += CLAIM_CONCURRENCY) {
      const claimed = await Promise.all(
        assignments
          .slice(i, i + CLAIM_CONCURRENCY)
          .map((a) => store.claimOffer(claimOf(a, byId, zone, now, ids.newId(), settings))),
      );
      offers += claimed.filter(Boolean).length;
    }
    return {
      zone,
      orders: orders.length,
      riders: riders.length,
      offers,
      conflicts: assignments.length - offers,
    };
  };
}

function claimOf(
  a: Assignment,
  orders: ReadonlyMap<string, DispatchOrder>,
  zone: string,
  now: Date,
  offerId: string,
  settings: DispatchSettings,
): OfferClaim {
  const first = orders.get(a.orderIds[0]!)!;
  return {
    offerId,
    riderId: a.riderId,
    orderIds: a.orderIds,
    zone,
    pickup: first.pickup,
    plannedPickupAt: new Date(a.plan.pickupAt * 1000),
    createdAt: now,
    expiresAt: new Date(now.getTime() + settings.offerTimeoutMs),
    replicaId: settings.replicaId,
  };
}
