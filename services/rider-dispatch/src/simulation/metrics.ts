import type { MdrpInstance } from './mdrp-instance.ts';
import { mdrpTravelMinutes } from './mdrp-travel.ts';
import type { MdrpSolution } from './solution.ts';

export interface Summary {
  readonly mean: number;
  readonly std: number;
  readonly min: number;
  readonly p10: number;
  readonly p50: number;
  readonly p90: number;
  readonly max: number;
}

/** The instance set's performance measures (MDRPInstances.pdf §1.1); all times in minutes. */
export interface MdrpMetrics {
  readonly orders: number;
  readonly delivered: number;
  readonly undeliveredPct: number;
  readonly clickToDoor: Summary;
  /** Share of ALL orders delivered within the target (undelivered orders count as misses). */
  readonly withinTargetShare: number;
  /** Mean of max(0, click-to-door - target) over delivered orders. */
  readonly overTargetMean: number;
  readonly readyToPickup: Summary;
  readonly readyToDoor: Summary;
  readonly ordersPerCourierHour: number;
  /** Share of duty time spent driving or in pickup / drop-off service. */
  readonly courierUtilisation: number;
  readonly courierPay: number;
  readonly guaranteeShare: number;
  /** Mean per-order click-to-door floor over all orders, and over the delivered ones. */
  readonly lowerBound: number;
  readonly lowerBoundDelivered: number;
}

/**
 * Per-order floor on click-to-door: ready - placement + s_r/2 + ride + s_o/2 (minutes). No dispatcher
 * can beat it, so results are read against it as well as against the greedy baseline.
 */
export function clickToDoorLowerBound(instance: MdrpInstance): Map<string, number> {
  const p = instance.params;
  const bound = new Map<string, number>();
  for (const o of instance.orders) {
    const r = instance.restaurants.get(o.restaurantId)!;
    const ride = mdrpTravelMinutes(p, r, o);
    bound.set(
      o.id,
      o.readyTime - o.placementTime + p.pickupServiceMinutes / 2 + ride + p.dropoffServiceMinutes / 2,
    );
  }
  return bound;
}

export function computeMetrics(instance: MdrpInstance, solution: MdrpSolution): MdrpMetrics {
  const p = instance.params;
  const ctd = solution.orders.map((o) => o.dropoffTime - o.placementTime);
  const bound = clickToDoorLowerBound(instance);
  const points = new Map<string, { x: number; y: number }>();
  for (const r of instance.restaurants.values()) points.set(r.id, r);
  for (const o of instance.orders) points.set(o.id, o);
  const starts = new Map(instance.couriers.map((c) => [c.id, c]));

  let driving = 0;
  for (const m of solution.moves) {
    const from = m.origin === '0' ? starts.get(m.courierId) : points.get(m.origin);
    const to = points.get(m.destination);
    if (from !== undefined && to !== undefined) driving += mdrpTravelMinutes(p, from, to);
  }
  const service =
    solution.assignments.length * p.pickupServiceMinutes + solution.orders.length * p.dropoffServiceMinutes;
  const dutyMinutes = instance.couriers.reduce((s, c) => s + c.offTime - c.onTime, 0);

  const perCourier = new Map<string, number>();
  for (const o of solution.orders) perCourier.set(o.courierId, (perCourier.get(o.courierId) ?? 0) + 1);
  let pay = 0;
  let guaranteed = 0;
  for (const c of instance.couriers) {
    const earned = p.payPerOrder * (perCourier.get(c.id) ?? 0);
    const guarantee = (p.payPerHour * (c.offTime - c.onTime)) / 60;
    pay += Math.max(earned, guarantee);
    if (guarantee > earned) guaranteed += 1;
  }

  const allBounds = [...bound.values()];
  const deliveredBounds = solution.orders.map((o) => bound.get(o.orderId) ?? 0);
  const n = instance.orders.length;
  return {
    orders: n,
    delivered: solution.orders.length,
    undeliveredPct: n === 0 ? 0 : (100 * (n - solution.orders.length)) / n,
    clickToDoor: summarize(ctd),
    withinTargetShare: n === 0 ? 0 : ctd.filter((t) => t <= p.targetClickToDoor).length / n,
    overTargetMean: mean(ctd.map((t) => Math.max(0, t - p.targetClickToDoor))),
    readyToPickup: summarize(solution.orders.map((o) => o.pickupTime - o.readyTime)),
    readyToDoor: summarize(solution.orders.map((o) => o.dropoffTime - o.readyTime)),
    ordersPerCourierHour: dutyMinutes === 0 ? 0 : solution.orders.length / (dutyMinutes / 60),
    courierUtilisation: dutyMinutes === 0 ? 0 : (driving + service) / dutyMinutes,
    courierPay: pay,
    guaranteeShare: instance.couriers.length === 0 ? 0 : guaranteed / instance.couriers.length,
    lowerBound: mean(allBounds),
    lowerBoundDelivered: mean(deliveredBounds),
  };
}

export function mean(values: readonly number[]): number {
  return values.length === 0 ? 0 : values.reduce((s, v) => s + v, 0) / values.length;
}

/** Percentiles interpolate linearly between order statistics (numpy's default). */
export function summarize(values: readonly number[]): Summary {
  if (values.length === 0) return { mean: 0, std: 0, min: 0, p10: 0, p50: 0, p90: 0, max: 0 };
  const sorted = [...values].sort((a, b) => a - b);
  const m = mean(sorted);
  const variance = sorted.reduce((s, v) => s + (v - m) ** 2, 0) / sorted.length;
  const q = (f: number): number => {
    const pos = f * (sorted.length - 1);
    const lo = Math.floor(pos);
    const hi = Math.min(lo + 1, sorted.length - 1);
    return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
  };
  return {
    mean: m,
    std: Math.sqrt(variance),
    min: sorted[0]!,
    p10: q(0.1),
    p50: q(0.5),
    p90: q(0.9),
    max: sorted[sorted.length - 1]!,
  };
}
