import type {
  Assignment,
  DispatchParams,
  DispatchStrategy,
  OrderSnapshot,
  RiderSnapshot,
} from '../domain/dispatch/index.ts';
import { validateSnapshot } from '../domain/dispatch/index.ts';
import type { Decline, DispatchOrder, Rider } from '../domain/delivery/model.ts';
import { createLocalProjection, type LatLng, type LocalProjection } from '../domain/geo/projection.ts';

export interface RoundInput {
  readonly now: Date;
  /** Centre of the zone: origin of the round's planar projection. */
  readonly centre: LatLng;
  readonly orders: readonly DispatchOrder[];
  /** Dispatchable riders with their live position. */
  readonly riders: readonly { readonly rider: Rider; readonly position: LatLng }[];
  readonly declines: readonly Decline[];
}

/** Orders decided together, and the riders who may not take them (they declined one recently). */
export interface RoundPass {
  readonly orders: readonly OrderSnapshot[];
  readonly excluded: ReadonlySet<string>;
}

export interface RoundPlan {
  /** Seconds since the epoch: the engine's clock. */
  readonly now: number;
  readonly projection: LocalProjection;
  readonly riders: readonly RiderSnapshot[];
  readonly passes: readonly RoundPass[];
}

const seconds = (d: Date): number => d.getTime() / 1000;

/**
 * Turns dispatch rows and live positions into the engine's snapshots (metres on a plane around the
 * zone centre, seconds since the epoch). The engine has no notion of "this rider may not take that
 * order", so declines split the round into passes: first every order nobody declined, with every
 * rider; then each group of orders sharing the same decliners, without those riders (and without
 * riders already committed in an earlier pass).
 */
export function planRound(input: RoundInput): RoundPlan {
  const now = seconds(input.now);
  const projection = createLocalProjection(input.centre);
  const riders = input.riders.map(({ rider, position }) => riderSnapshot(rider, position, now, projection));
  const decliners = new Map<string, string[]>();
  for (const d of input.declines) decliners.set(d.orderId, [...(decliners.get(d.orderId) ?? []), d.riderId]);
  const groups = new Map<string, { orders: OrderSnapshot[]; excluded: Set<string> }>();
  for (const order of input.orders) {
    const who = [...new Set(decliners.get(order.orderId) ?? [])].sort();
    const key = who.join('\n');
    const group = groups.get(key) ?? { orders: [], excluded: new Set(who) };
    group.orders.push(orderSnapshot(order, input.now, projection));
    groups.set(key, group);
  }
  const oldest = (g: { orders: OrderSnapshot[] }) => Math.min(...g.orders.map((o) => o.placedAt));
  const passes = [...groups.entries()]
    .sort(([a, ga], [b, gb]) => (a === '' ? -1 : b === '' ? 1 : oldest(ga) - oldest(gb)))
    .map(([, g]) => g);
  return { now, projection, riders, passes };
}

/** Runs the strategy pass by pass; a rider committed in one pass is out of the later ones. */
export function decideRound(
  plan: RoundPlan,
  strategy: DispatchStrategy,
  params: DispatchParams,
): Assignment[] {
  const committed = new Set<string>();
  const assignments: Assignment[] = [];
  for (const pass of plan.passes) {
    const riders = plan.riders.filter((r) => !committed.has(r.id) && !pass.excluded.has(r.id));
    if (riders.length === 0 || pass.orders.length === 0) continue;
    const snapshot = { now: plan.now, orders: pass.orders, riders };
    const problems = validateSnapshot(snapshot);
    // Rows are keyed and validated on the way in, so a problem here is a bug, not bad input.
    if (problems.length > 0)
      throw new Error(`invalid round snapshot: ${JSON.stringify(problems.slice(0, 3))}`);
    for (const a of strategy.decide(snapshot, params).assignments) {
      committed.add(a.riderId);
      assignments.push(a);
    }
  }
  return assignments;
}

function orderSnapshot(o: DispatchOrder, now: Date, projection: LocalProjection): OrderSnapshot {
  // Once the merchant says it is ready, it is ready now, whatever the estimate said.
  const readyAt = o.ready ? Math.min(seconds(o.expectedReadyAt), seconds(now)) : seconds(o.expectedReadyAt);
  return {
    id: o.orderId,
    // The engine bundles per restaurant and needs one pickup point per restaurant id.
    restaurantId: `${o.merchantId}@${o.pickup.lat},${o.pickup.lng}`,
    pickup: projection.toPoint(o.pickup),
    dropoff: projection.toPoint(o.dropoff),
    placedAt: seconds(o.placedAt),
    readyAt,
    promisedBy: seconds(o.promisedAt),
  };
}

function riderSnapshot(r: Rider, position: LatLng, now: number, projection: LocalProjection): RiderSnapshot {
  const shiftEndsAt = seconds(r.shiftEndsAt);
  if (r.status === 'delivering') {
    // Planned for where and when the current run ends; never free "now" (the engine only commits
    // idle riders), even when the run overran its plan.
    const busyUntil = r.busyUntil ? seconds(r.busyUntil) : now;
    return {
      id: r.riderId,
      position: projection.toPoint(r.freePosition ?? position),
      availableAt: Math.max(busyUntil, now + 1),
      shiftEndsAt,
    };
  }
  return { id: r.riderId, position: projection.toPoint(position), availableAt: now, shiftEndsAt };
}
