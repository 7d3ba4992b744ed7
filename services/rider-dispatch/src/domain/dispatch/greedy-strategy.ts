import { compareIds, createRiderPool, nearestRiders } from './candidates.ts';
import { planRoute } from './route-plan.ts';
import type { Assignment, DispatchParams, DispatchStrategy, OrderSnapshot, RiderSnapshot } from './types.ts';

/**
 * Baseline: oldest order first, each sent alone to the idle rider who reaches its restaurant earliest.
 * No bundling, no holding, busy riders ignored: what a first dispatcher writes, and what the optimizing
 * strategy has to beat.
 */
export function createGreedyStrategy(): DispatchStrategy {
  return {
    name: 'greedy',
    decide: (snapshot, params) => {
      const { now } = snapshot;
      const idle = snapshot.riders.filter((r) => r.availableAt <= now && r.shiftEndsAt >= now);
      const pool = createRiderPool(idle, now);
      const taken = new Uint8Array(pool.riders.length);
      const orders = [...snapshot.orders].sort((a, b) => a.placedAt - b.placedAt || compareIds(a.id, b.id));
      const assignments: Assignment[] = [];
      const held: string[] = [];
      let free = pool.riders.length;
      for (const order of orders) {
        const [best] =
          free === 0
            ? []
            : nearestRiders(pool, order.pickup, now, 1, params.travel, (rider, arriveAt) => {
                const pickupAt = Math.max(order.readyAt, arriveAt + params.pickupServiceSeconds / 2);
                return taken[rider] === 0 && pickupAt <= pool.riders[rider]!.shiftEndsAt;
              });
        if (best === undefined) {
          held.push(order.id);
          continue;
        }
        taken[best.rider] = 1;
        free -= 1;
        assignments.push(assign(order, pool.riders[best.rider]!, now, params));
      }
      return { assignments, held };
    },
  };
}

function assign(order: OrderSnapshot, rider: RiderSnapshot, now: number, params: DispatchParams): Assignment {
  return {
    riderId: rider.id,
    restaurantId: order.restaurantId,
    orderIds: [order.id],
    plan: planRoute({ position: rider.position, departAt: now }, [order], params.travel, params),
  };
}
