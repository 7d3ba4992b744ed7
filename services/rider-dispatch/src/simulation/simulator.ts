import { planRoute } from '../domain/dispatch/route-plan.ts';
import type {
  Decision,
  DispatchParams,
  DispatchStrategy,
  OrderSnapshot,
  Point,
  RiderSnapshot,
} from '../domain/dispatch/types.ts';
import type { MdrpInstance } from './mdrp-instance.ts';
import { createMdrpTravelModel } from './mdrp-travel.ts';
import type { MdrpSolution, SolutionAssignment, SolutionMove, SolutionOrder } from './solution.ts';

const MINUTE = 60;

export interface SimulationStats {
  readonly rounds: number;
  /** Wall-clock-free measure of engine effort: orders shown to the engine, summed over rounds. */
  readonly ordersSeen: number;
}

export interface SimulationResult {
  readonly solution: MdrpSolution;
  readonly stats: SimulationStats;
}

interface CourierState {
  readonly id: string;
  readonly onAt: number;
  readonly offAt: number;
  position: Point;
  /** '0' (the on-location), a restaurant id or an order id: the origin of the next move. */
  locationId: string;
  freeAt: number;
  readonly moves: SolutionMove[];
}

/**
 * Replays one instance in simulated time through a dispatch strategy: orders appear at their placement
 * time, couriers exist between on- and off-time, and a round runs every `params.roundWindowSeconds`.
 * Travel and service follow the instance (params.travel and service times are replaced by the
 * instance's). Committed assignments are executed with the engine's own planRoute, so what the engine
 * planned is what happens. A decision that breaks a rule is a bug in the strategy, so it throws.
 */
export function simulate(
  instance: MdrpInstance,
  strategy: DispatchStrategy,
  params: DispatchParams,
): SimulationResult {
  const p = instance.params;
  const run: DispatchParams = {
    ...params,
    travel: createMdrpTravelModel(p),
    pickupServiceSeconds: p.pickupServiceMinutes * MINUTE,
    dropoffServiceSeconds: p.dropoffServiceMinutes * MINUTE,
  };
  const window = run.roundWindowSeconds;
  if (!(window > 0)) throw new Error('roundWindowSeconds must be positive');

  const orders = toOrderSnapshots(instance);
  const byId = new Map(orders.map((o) => [o.id, o]));
  const couriers = instance.couriers.map((c): CourierState => ({
    id: c.id,
    onAt: c.onTime * MINUTE,
    offAt: c.offTime * MINUTE,
    position: { x: c.x, y: c.y },
    locationId: '0',
    freeAt: c.onTime * MINUTE,
    moves: [],
  }));
  const courierById = new Map(couriers.map((c) => [c.id, c]));
  const lastOff = Math.max(0, ...couriers.map((c) => c.offAt));

  const open = new Map<string, OrderSnapshot>();
  const assignments: SolutionAssignment[] = [];
  const delivered: SolutionOrder[] = [];
  let next = 0;
  let rounds = 0;
  let ordersSeen = 0;
  const firstPlacement = orders[0]?.placedAt ?? 0;
  for (let now = Math.floor(firstPlacement / window) * window; now <= lastOff; now += window) {
    while (next < orders.length && orders[next]!.placedAt <= now) {
      open.set(orders[next]!.id, orders[next]!);
      next += 1;
    }
    if (open.size === 0) {
      if (next === orders.length) break;
      continue;
    }
    const riders = couriers
      .filter((c) => c.offAt >= now && c.onAt <= now + run.planningHorizonSeconds)
      .map((c): RiderSnapshot => ({
        id: c.id,
        position: c.position,
        availableAt: c.freeAt,
        shiftEndsAt: c.offAt,
      }));
    const snapshot = { now, orders: [...open.values()], riders };
    rounds += 1;
    ordersSeen += snapshot.orders.length;
    apply(strategy.decide(snapshot, run), now);
  }

  function apply(decision: Decision, now: number): void {
    for (const a of decision.assignments) {
      const courier = courierById.get(a.riderId);
      if (courier === undefined) throw new Error(`${strategy.name}: unknown rider ${a.riderId}`);
      if (courier.freeAt > now) throw new Error(`${strategy.name}: rider ${a.riderId} is busy at ${now}`);
      const bundle = a.orderIds.map((id) => open.get(id));
      if (bundle.length === 0) throw new Error(`${strategy.name}: empty assignment`);
      const list = bundle.map((o, i) => {
        if (o === undefined) throw new Error(`${strategy.name}: order ${a.orderIds[i]} is not open`);
        if (o.restaurantId !== a.restaurantId) throw new Error(`${strategy.name}: bundle mixes restaurants`);
        return o;
      });
      const plan = planRoute({ position: courier.position, departAt: now }, list, run.travel, run);
      if (plan.pickupAt > courier.offAt)
        throw new Error(`${strategy.name}: pickup after ${a.riderId}'s shift`);
      const restaurantId = a.restaurantId;
      courier.moves.push({
        courierId: courier.id,
        departureTime: now / MINUTE,
        origin: courier.locationId,
        destination: restaurantId,
      });
      let origin = restaurantId;
      let departAt = plan.leaveRestaurantAt;
      for (const stop of plan.stops) {
        courier.moves.push({
          courierId: courier.id,
          departureTime: departAt / MINUTE,
          origin,
          destination: stop.orderId,
        });
        const order = byId.get(stop.orderId)!;
        delivered.push({
          orderId: stop.orderId,
          placementTime: order.placedAt / MINUTE,
          readyTime: order.readyAt / MINUTE,
          pickupTime: plan.pickupAt / MINUTE,
          dropoffTime: stop.dropoffAt / MINUTE,
          courierId: courier.id,
        });
        open.delete(stop.orderId);
        origin = stop.orderId;
        departAt = stop.leaveAt;
      }
      assignments.push({
        assignmentTime: now / MINUTE,
        pickupTime: plan.pickupAt / MINUTE,
        courierId: courier.id,
        orderIds: a.orderIds,
      });
      courier.position = plan.freePosition;
      courier.locationId = origin;
      courier.freeAt = plan.freeAt;
    }
  }

  const moves = couriers.flatMap((c) => c.moves);
  return { solution: { assignments, orders: delivered, moves }, stats: { rounds, ordersSeen } };
}

/** Engine view of the instance's orders, in seconds, sorted by placement (ties by id). */
export function toOrderSnapshots(instance: MdrpInstance): OrderSnapshot[] {
  const target = instance.params.targetClickToDoor * MINUTE;
  return instance.orders
    .map((o): OrderSnapshot => {
      const r = instance.restaurants.get(o.restaurantId)!;
      return {
        id: o.id,
        restaurantId: o.restaurantId,
        pickup: { x: r.x, y: r.y },
        dropoff: { x: o.x, y: o.y },
        placedAt: o.placementTime * MINUTE,
        readyAt: o.readyTime * MINUTE,
        promisedBy: o.placementTime * MINUTE + target,
      };
    })
    .sort((a, b) => a.placedAt - b.placedAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
