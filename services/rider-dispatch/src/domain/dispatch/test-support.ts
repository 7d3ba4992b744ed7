// Builders and a tiny rolling-horizon driver shared by the engine's tests (no test framework imports, so
// it stays plain code). 1 m/s travel and 2-minute services keep hand arithmetic easy.
import { dispatchParams, type DispatchParamsOverrides } from './params.ts';
import { createSpeedTravelModel } from './travel.ts';
import type { DispatchParams, DispatchStrategy, OrderSnapshot, Point, RiderSnapshot } from './types.ts';

export function testParams(overrides: DispatchParamsOverrides = {}): DispatchParams {
  return dispatchParams({
    travel: createSpeedTravelModel(1),
    pickupServiceSeconds: 120,
    dropoffServiceSeconds: 120,
    ...overrides,
  });
}

export function order(
  id: string,
  restaurantId: string,
  pickup: Point,
  dropoff: Point,
  placedAt: number,
  readyAt: number,
): OrderSnapshot {
  return { id, restaurantId, pickup, dropoff, placedAt, readyAt, promisedBy: placedAt + 2400 };
}

export function rider(id: string, position: Point, availableAt = 0, shiftEndsAt = 36_000): RiderSnapshot {
  return { id, position, availableAt, shiftEndsAt };
}

export interface RollOut {
  readonly dropoffAt: ReadonlyMap<string, number>;
  readonly bundles: readonly (readonly string[])[];
  /** Sum over delivered orders of drop-off minus placement. */
  readonly totalClickToDoor: number;
}

/**
 * Runs rounds every roundWindowSeconds from 0 to `until`: orders appear at placedAt, committed riders
 * are busy until their plan frees them at the last drop-off.
 */
export function rollOut(
  strategy: DispatchStrategy,
  params: DispatchParams,
  orders: readonly OrderSnapshot[],
  riders: readonly RiderSnapshot[],
  until: number,
): RollOut {
  let fleet = [...riders];
  const done = new Set<string>();
  const dropoffAt = new Map<string, number>();
  const bundles: string[][] = [];
  for (let now = 0; now <= until; now += params.roundWindowSeconds) {
    const open = orders.filter((o) => o.placedAt <= now && !done.has(o.id));
    if (open.length === 0) continue;
    const decision = strategy.decide({ now, orders: open, riders: fleet }, params);
    for (const a of decision.assignments) {
      bundles.push([...a.orderIds]);
      for (const stop of a.plan.stops) {
        done.add(stop.orderId);
        dropoffAt.set(stop.orderId, stop.dropoffAt);
      }
      fleet = fleet.map((r) =>
        r.id === a.riderId ? { ...r, position: a.plan.freePosition, availableAt: a.plan.freeAt } : r,
      );
    }
  }
  let totalClickToDoor = 0;
  for (const o of orders) {
    const at = dropoffAt.get(o.id);
    if (at !== undefined) totalClickToDoor += at - o.placedAt;
  }
  return { dropoffAt, bundles, totalClickToDoor };
}
