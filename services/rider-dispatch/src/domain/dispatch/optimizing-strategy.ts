import { solveAssignment } from './assignment-solver.ts';
import { formBundles, type Bundle } from './bundling.ts';
import { compareIds, createRiderPool, nearestRiders, type RiderPool } from './candidates.ts';
import { justInTimeDeparture, planCost } from './cost-model.ts';
import { scarcity as scarcityOf } from './pressure.ts';
import { planRoute } from './route-plan.ts';
import type {
  Assignment,
  Decision,
  DispatchParams,
  DispatchSnapshot,
  DispatchStrategy,
  OrderSnapshot,
  RoutePlan,
} from './types.ts';

export interface OptimizingOptions {
  /** Merge same-restaurant orders when riders are scarce (default true). */
  readonly bundling?: boolean;
  /** Hold matched bundles until their rider must leave (default true); false commits every match now. */
  readonly holding?: boolean;
}

/**
 * One round of the optimizing strategy (docs/dispatch.md has the walk-through):
 *  1. riders free now or within the planning horizon (busy riders at their last drop-off, riders about
 *     to start), in a grid index;
 *  2. per restaurant, open orders grouped into bundles, more eagerly the scarcer riders are;
 *  3. per bundle, the candidateRiders riders who can reach the restaurant first, each costed by
 *     planCost with the rider leaving just in time;
 *  4. a min-cost assignment of bundles to riders where each bundle may also wait, at the cost it would
 *     have if its pickup slipped by holdPostponeSeconds;
 *  5. commit only the matches whose rider is idle and must leave before the next round; everything else
 *     is held and re-planned next round with fresher information.
 */
export function createOptimizingStrategy(options: OptimizingOptions = {}): DispatchStrategy {
  const bundling = options.bundling ?? true;
  const holding = options.holding ?? true;
  return {
    name: 'optimized',
    decide: (snapshot, params) => decideRound(snapshot, params, bundling, holding),
  };
}

/** One rider who could do a bundle, with the just-in-time plan and its cost. */
interface RiderOption {
  readonly rider: number;
  readonly cost: number;
  readonly plan: RoutePlan;
}

interface Row {
  readonly bundle: Bundle;
  readonly options: readonly RiderOption[];
}

function decideRound(
  snapshot: DispatchSnapshot,
  params: DispatchParams,
  bundling: boolean,
  holding: boolean,
): Decision {
  const { now } = snapshot;
  const horizon = now + params.planningHorizonSeconds;
  const usable = snapshot.riders.filter(
    (r) => r.shiftEndsAt >= Math.max(now, r.availableAt) && r.availableAt <= horizon,
  );
  const pool = createRiderPool(usable, now);
  const scarcity = scarcityOf(snapshot.orders, pool, now, params);
  const value = bundling ? scarcity * params.bundling.riderSecondValue : undefined;
  const rows = bundlesOf(snapshot.orders, value, now, params).flatMap((bundle): Row[] => {
    const options = costBundle(bundle, pool, now, scarcity, params);
    if (options.length > 0 || bundle.orders.length === 1) return [{ bundle, options }];
    // No rider can pick this bundle up in time (say, every shift ends before its last order is ready):
    // back to single orders, which may still be served.
    return bundle.orders.map((o) => {
      const single = { restaurantId: bundle.restaurantId, orders: [o] };
      return { bundle: single, options: costBundle(single, pool, now, scarcity, params) };
    });
  });

  const edgeRow: number[] = [];
  const edgeColumn: number[] = [];
  const edgeCost: number[] = [];
  rows.forEach((row, b) => {
    for (const option of row.options) {
      edgeRow.push(b);
      edgeColumn.push(option.rider);
      edgeCost.push(option.cost);
    }
  });
  const { columnOfRow } = solveAssignment({
    rows: rows.length,
    columns: pool.riders.length,
    edgeRow,
    edgeColumn,
    edgeCost,
    skipCost: rows.map((row) => holdCost(row, pool, scarcity, params)),
  });

  const assignments: Assignment[] = [];
  const held: string[] = [];
  rows.forEach(({ bundle, options }, b) => {
    const option = options.find((o) => o.rider === columnOfRow[b]);
    const r = option === undefined ? undefined : pool.riders[option.rider]!;
    if (
      option === undefined ||
      r === undefined ||
      r.availableAt > now ||
      (holding && !mustLeaveNow(option.plan, now, params))
    ) {
      for (const o of bundle.orders) held.push(o.id);
      return;
    }
    assignments.push({
      riderId: r.id,
      restaurantId: bundle.restaurantId,
      orderIds: bundle.orders.map((o) => o.id),
      plan: planRoute({ position: r.position, departAt: now }, bundle.orders, params.travel, params),
    });
  });
  return { assignments, held: held.sort(compareIds) };
}

/** Bundles per restaurant; without a rider-second value (bundling off) every order travels alone. */
function bundlesOf(
  orders: readonly OrderSnapshot[],
  value: number | undefined,
  now: number,
  params: DispatchParams,
): Bundle[] {
  const byRestaurant = new Map<string, OrderSnapshot[]>();
  for (const o of [...orders].sort((a, b) => a.readyAt - b.readyAt || compareIds(a.id, b.id))) {
    const list = byRestaurant.get(o.restaurantId) ?? [];
    list.push(o);
    byRestaurant.set(o.restaurantId, list);
  }
  const pickupFrom = now + params.bundling.typicalApproachSeconds + params.pickupServiceSeconds / 2;
  const restaurants = [...byRestaurant.keys()].sort(compareIds);
  return restaurants.flatMap((id) => {
    const list = byRestaurant.get(id)!;
    if (value === undefined || list.length === 1) return list.map((o) => ({ restaurantId: id, orders: [o] }));
    return formBundles(list, value, pickupFrom, params);
  });
}

function costBundle(
  bundle: Bundle,
  pool: RiderPool,
  now: number,
  scarcity: number,
  params: DispatchParams,
): RiderOption[] {
  const pickup = bundle.orders[0]!.pickup;
  let readyAt = -Infinity;
  for (const o of bundle.orders) readyAt = Math.max(readyAt, o.readyAt);
  const halfPickup = params.pickupServiceSeconds / 2;
  const candidates = nearestRiders(
    pool,
    pickup,
    now,
    params.candidateRiders,
    params.travel,
    (rider, arriveAt) => {
      return Math.max(readyAt, arriveAt + halfPickup) <= pool.riders[rider]!.shiftEndsAt;
    },
  );
  return candidates.map(({ rider }) => {
    const r = pool.riders[rider]!;
    const departAt = Math.max(pool.freeAt[rider]!, justInTimeDeparture(r.position, bundle.orders, params));
    const plan = planRoute({ position: r.position, departAt }, bundle.orders, params.travel, params);
    const cost = planCost(plan, bundle.orders, pool.freeAt[rider]!, scarcity, params);
    return { rider, cost: Math.round(cost), plan };
  });
}

/**
 * What waiting costs: the cheapest option's cost if its departure slipped by holdPostponeSeconds. A
 * bundle whose food is far from ready loses nothing by waiting, so it never takes a rider another bundle
 * needs now; a bundle already late pays the full slip.
 */
function holdCost(
  { bundle, options }: Row,
  pool: RiderPool,
  scarcity: number,
  params: DispatchParams,
): number {
  let best: RiderOption | undefined;
  for (const o of options) if (best === undefined || o.cost < best.cost) best = o;
  if (best === undefined) return 0;
  const r = pool.riders[best.rider]!;
  const departAt = Math.max(best.plan.departAt, pool.freeAt[best.rider]! + params.holdPostponeSeconds);
  const plan = planRoute({ position: r.position, departAt }, bundle.orders, params.travel, params);
  return Math.round(planCost(plan, bundle.orders, pool.freeAt[best.rider]!, scarcity, params)) + 1;
}

/** True when departing at the next round would pick up later than departing now allows. */
function mustLeaveNow(plan: RoutePlan, now: number, params: DispatchParams): boolean {
  return plan.departAt - params.commitSlackSeconds < now + params.roundWindowSeconds;
}
