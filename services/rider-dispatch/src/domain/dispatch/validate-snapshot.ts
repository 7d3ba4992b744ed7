import type { DispatchSnapshot } from './types.ts';

export type SnapshotProblemCode =
  'DUPLICATE_ORDER_ID' | 'DUPLICATE_RIDER_ID' | 'NOT_A_NUMBER' | 'RESTAURANT_PICKUP_MISMATCH';

export interface SnapshotProblem {
  readonly code: SnapshotProblemCode;
  readonly id: string;
  readonly message: string;
}

/**
 * Problems that make a snapshot unfit for `decide` (which assumes a valid one): for the service to
 * check at its boundary and report as values. An empty list means the snapshot is fine.
 */
export function validateSnapshot(snapshot: DispatchSnapshot): SnapshotProblem[] {
  const problems: SnapshotProblem[] = [];
  const finite = (id: string, what: string, ...values: number[]): void => {
    if (values.some((v) => !Number.isFinite(v)))
      problems.push({ code: 'NOT_A_NUMBER', id, message: `${what} of ${id} is not a finite number` });
  };
  finite('snapshot', 'now', snapshot.now);
  const orderIds = new Set<string>();
  const pickups = new Map<string, { x: number; y: number }>();
  for (const o of snapshot.orders) {
    if (orderIds.has(o.id))
      problems.push({ code: 'DUPLICATE_ORDER_ID', id: o.id, message: `order ${o.id} appears twice` });
    orderIds.add(o.id);
    finite(
      o.id,
      'a coordinate or time',
      o.pickup.x,
      o.pickup.y,
      o.dropoff.x,
      o.dropoff.y,
      o.placedAt,
      o.readyAt,
      o.promisedBy,
    );
    const known = pickups.get(o.restaurantId);
    if (known === undefined) pickups.set(o.restaurantId, o.pickup);
    else if (known.x !== o.pickup.x || known.y !== o.pickup.y) {
      problems.push({
        code: 'RESTAURANT_PICKUP_MISMATCH',
        id: o.id,
        message: `order ${o.id} gives restaurant ${o.restaurantId} another pickup point (bundles need one)`,
      });
    }
  }
  const riderIds = new Set<string>();
  for (const r of snapshot.riders) {
    if (riderIds.has(r.id))
      problems.push({ code: 'DUPLICATE_RIDER_ID', id: r.id, message: `rider ${r.id} appears twice` });
    riderIds.add(r.id);
    finite(r.id, 'a coordinate or time', r.position.x, r.position.y, r.availableAt, r.shiftEndsAt);
  }
  return problems;
}
