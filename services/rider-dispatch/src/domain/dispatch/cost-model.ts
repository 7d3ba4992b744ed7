import { planRoute } from './route-plan.ts';
import type { DispatchParams, OrderSnapshot, Point, RoutePlan } from './types.ts';

/**
 * Cost of a plan, in "delay-seconds": click-to-door above each order's floor (what the MDRP benchmark
 * measures), lateness against the promise (what the customer notices), and the rider's time spent
 * reaching the restaurant and waiting there (what the next orders pay for). Weights in params.weights.
 */
export function planCost(
  plan: RoutePlan,
  orders: readonly OrderSnapshot[],
  riderFreeAt: number,
  scarcity: number,
  params: DispatchParams,
): number {
  return deliveryCost(plan, orders, params) + riderCost(plan, riderFreeAt, scarcity, params);
}

/** The orders' share of planCost: delay above the floor and lateness against the promise. */
export function deliveryCost(
  plan: RoutePlan,
  orders: readonly OrderSnapshot[],
  params: DispatchParams,
): number {
  const w = params.weights;
  let cost = 0;
  plan.stops.forEach((stop, i) => {
    const order = orders[i]!;
    const late = Math.max(0, stop.dropoffAt - order.promisedBy);
    cost += w.delay * (stop.dropoffAt - floorDropoff(order, params)) + w.lateness * late;
    cost += (w.latenessSquared * late * late) / 3600;
  });
  return cost;
}

function riderCost(plan: RoutePlan, riderFreeAt: number, scarcity: number, params: DispatchParams): number {
  const w = params.weights;
  const idle = Math.max(0, plan.pickupAt - params.pickupServiceSeconds / 2 - plan.arriveRestaurantAt);
  // Busy time counts from when the rider is free, not from the (just-in-time) departure: waiting for
  // the right moment to leave is not free when riders are scarce.
  const busy = plan.freeAt - riderFreeAt;
  return w.approach * (plan.arriveRestaurantAt - plan.departAt) + w.idle * idle + scarcity * w.busy * busy;
}

/** Earliest possible drop-off: picked up the moment it is ready and ridden straight to the door. */
export function floorDropoff(order: OrderSnapshot, params: DispatchParams): number {
  return (
    order.readyAt +
    params.pickupServiceSeconds / 2 +
    params.travel.seconds(order.pickup, order.dropoff) +
    params.dropoffServiceSeconds / 2
  );
}

/**
 * Latest departure from `from` that still reaches the restaurant in time to pick up at the bundle's ready
 * time; sending the rider earlier only makes them wait there.
 */
export function justInTimeDeparture(
  from: Point,
  orders: readonly OrderSnapshot[],
  params: DispatchParams,
): number {
  let readyAt = -Infinity;
  for (const o of orders) readyAt = Math.max(readyAt, o.readyAt);
  return readyAt - params.pickupServiceSeconds / 2 - params.travel.seconds(from, orders[0]!.pickup);
}

/** Best delivery sequence by delivery cost (exhaustive up to 5 orders, cheapest insertion beyond). */
export function bestSequence(
  orders: readonly OrderSnapshot[],
  departAt: number,
  params: DispatchParams,
): { readonly orders: readonly OrderSnapshot[]; readonly plan: RoutePlan; readonly cost: number } {
  const start = { position: orders[0]!.pickup, departAt };
  const evaluate = (seq: readonly OrderSnapshot[]) => {
    const plan = planRoute(start, seq, params.travel, params);
    return { orders: seq, plan, cost: deliveryCost(plan, seq, params) };
  };
  if (orders.length <= 5) {
    let best = evaluate(orders);
    for (const seq of permutations(orders)) {
      const candidate = evaluate(seq);
      if (candidate.cost < best.cost) best = candidate;
    }
    return best;
  }
  let seq: OrderSnapshot[] = [];
  for (const order of orders) {
    let best: ReturnType<typeof evaluate> | undefined;
    for (let i = 0; i <= seq.length; i++) {
      const candidate = evaluate([...seq.slice(0, i), order, ...seq.slice(i)]);
      if (best === undefined || candidate.cost < best.cost) best = candidate;
    }
    seq = [...best!.orders];
  }
  return evaluate(seq);
}

function* permutations<T>(items: readonly T[]): Generator<T[]> {
  if (items.length <= 1) {
    yield [...items];
    return;
  }
  for (let i = 0; i < items.length; i++) {
    const rest = [...items.slice(0, i), ...items.slice(i + 1)];
    for (const tail of permutations(rest)) yield [items[i]!, ...tail];
  }
}
