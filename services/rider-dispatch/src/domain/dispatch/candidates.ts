import { createGridIndex, type SpatialIndex } from './spatial-index.ts';
import type { Point, RiderSnapshot, TravelModel } from './types.ts';

export interface RiderCandidate {
  /** Index into the pool's riders. */
  readonly rider: number;
  /** When the rider would reach the point if sent as soon as they are free. */
  readonly arriveAt: number;
}

/** Riders of one round, sorted by id (so indices break ties the same way every time), and their grid. */
export interface RiderPool {
  readonly riders: readonly RiderSnapshot[];
  /** max(now, availableAt) per rider. */
  readonly freeAt: Float64Array;
  readonly index: SpatialIndex;
}

export function createRiderPool(riders: readonly RiderSnapshot[], now: number): RiderPool {
  const sorted = [...riders].sort((a, b) => compareIds(a.id, b.id));
  const freeAt = Float64Array.from(sorted, (r) => Math.max(now, r.availableAt));
  return { riders: sorted, freeAt, index: createGridIndex(sorted.map((r) => r.position)) };
}

/**
 * The k riders who can reach `at` earliest among those `accept` lets through, earliest first (ties by
 * id). The grid scan stops once no unvisited rider could beat the k-th: a rider at distance d arrives no
 * earlier than now + d / maxSpeed.
 */
export function nearestRiders(
  pool: RiderPool,
  at: Point,
  now: number,
  k: number,
  travel: TravelModel,
  accept: (rider: number, arriveAt: number) => boolean,
): RiderCandidate[] {
  const best: RiderCandidate[] = [];
  if (k <= 0) return best;
  pool.index.scan(
    at,
    (rider) => {
      const arriveAt = pool.freeAt[rider]! + travel.seconds(pool.riders[rider]!.position, at);
      if (best.length === k && !before(arriveAt, rider, best[k - 1]!)) return;
      if (!accept(rider, arriveAt)) return;
      let i = best.length;
      if (i === k) best.pop();
      i = best.length;
      while (i > 0 && before(arriveAt, rider, best[i - 1]!)) i--;
      best.splice(i, 0, { rider, arriveAt });
    },
    (minDistance) => best.length === k && best[k - 1]!.arriveAt < now + minDistance / travel.maxSpeed,
  );
  return best;
}

function before(arriveAt: number, rider: number, other: RiderCandidate): boolean {
  return arriveAt < other.arriveAt || (arriveAt === other.arriveAt && rider < other.rider);
}

/** Plain code-unit order: locale-independent, so every process sorts ids the same way. */
export function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
