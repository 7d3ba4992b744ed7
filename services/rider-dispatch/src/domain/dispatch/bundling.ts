import { bestSequence } from './cost-model.ts';
import type { DispatchParams, OrderSnapshot } from './types.ts';

export interface Bundle {
  readonly restaurantId: string;
  /** Delivery sequence. */
  readonly orders: readonly OrderSnapshot[];
}

/**
 * Splits one restaurant's open orders into bundles. Starting from singletons, it repeatedly merges the
 * pair with the best net gain: the rider-seconds a merge saves (one trip to the restaurant, one pickup
 * service, and the shorter combined ride) valued at `riderSecondValue`, minus the extra delivery cost the
 * merge puts on the orders (the earlier order waits for the later one, the second drop-off comes after
 * the first). With riders plentiful the value is near zero and orders travel alone.
 *
 * `pickupFrom` is the earliest time any rider could plausibly pick up, so already-late orders are not
 * treated as if they could still leave on time.
 */
export function formBundles(
  restaurantOrders: readonly OrderSnapshot[],
  riderSecondValue: number,
  pickupFrom: number,
  params: DispatchParams,
): Bundle[] {
  const first = restaurantOrders[0];
  if (first === undefined) return [];
  const evaluate = (orders: readonly OrderSnapshot[]) => {
    let readyAt = -Infinity;
    for (const o of orders) readyAt = Math.max(readyAt, o.readyAt);
    const pickupAt = Math.max(readyAt, pickupFrom);
    const best = bestSequence(orders, pickupAt - params.pickupServiceSeconds / 2, params);
    // Rider time from arrival at the restaurant to the last departure.
    const riderSeconds = best.plan.freeAt - best.plan.arriveRestaurantAt;
    return { orders: best.orders, cost: best.cost, riderSeconds };
  };
  let bundles = restaurantOrders.map((o) => evaluate([o]));
  const approach = params.bundling.typicalApproachSeconds;
  for (;;) {
    let bestGain = 0;
    let bestMerge: { i: number; j: number; merged: ReturnType<typeof evaluate> } | undefined;
    for (let i = 0; i < bundles.length; i++) {
      for (let j = i + 1; j < bundles.length; j++) {
        const a = bundles[i]!;
        const b = bundles[j]!;
        if (a.orders.length + b.orders.length > params.maxBundleSize) continue;
        if (readySpread([...a.orders, ...b.orders]) > params.maxBundleReadySpreadSeconds) continue;
        const merged = evaluate([...a.orders, ...b.orders]);
        const saved = approach + a.riderSeconds + b.riderSeconds - merged.riderSeconds;
        const gain = riderSecondValue * saved - (merged.cost - a.cost - b.cost);
        if (gain > bestGain) {
          bestGain = gain;
          bestMerge = { i, j, merged };
        }
      }
    }
    if (bestMerge === undefined) break;
    const { i, j, merged } = bestMerge;
    bundles = [...bundles.slice(0, i), merged, ...bundles.slice(i + 1, j), ...bundles.slice(j + 1)];
  }
  return bundles.map((b) => ({ restaurantId: first.restaurantId, orders: b.orders }));
}

function readySpread(orders: readonly OrderSnapshot[]): number {
  let lo = Infinity;
  let hi = -Infinity;
  for (const o of orders) {
    lo = Math.min(lo, o.readyAt);
    hi = Math.max(hi, o.readyAt);
  }
  return hi - lo;
}
