import type { RiderPool } from './candidates.ts';
import type { DispatchParams, OrderSnapshot } from './types.ts';

/**
 * How scarce riders are this round, from 0 (plenty) to 1 (demand at or above supply), on a linear ramp
 * between bundling.pressureStart and pressureFull. Demand is the rider time the open orders need
 * (approach, pickup service, ride, drop-off service); supply is the rider time free within the planning
 * horizon. Rider time is then priced in proportion: bundling and the busy-time cost grow with it.
 */
export function scarcity(
  orders: readonly OrderSnapshot[],
  pool: RiderPool,
  now: number,
  params: DispatchParams,
): number {
  const b = params.bundling;
  const horizon = now + b.horizonSeconds;
  let demand = 0;
  for (const o of orders) {
    demand +=
      b.typicalApproachSeconds +
      params.pickupServiceSeconds +
      params.travel.seconds(o.pickup, o.dropoff) +
      params.dropoffServiceSeconds;
  }
  let supply = 0;
  pool.riders.forEach((r, i) => {
    supply += Math.max(0, Math.min(horizon, r.shiftEndsAt) - pool.freeAt[i]!);
  });
  const pressure = supply <= 0 ? Infinity : demand / supply;
  const scale = (pressure - b.pressureStart) / Math.max(b.pressureFull - b.pressureStart, 1e-9);
  return Math.min(1, Math.max(0, scale));
}
