import type { OrderSnapshot, Point, RoutePlan, StopPlan, TravelModel } from './types.ts';

export interface ServiceTimes {
  readonly pickupServiceSeconds: number;
  readonly dropoffServiceSeconds: number;
}

export interface RouteStart {
  readonly position: Point;
  /** When the rider leaves `position` for the restaurant. */
  readonly departAt: number;
}

/**
 * Times of a rider executing a bundle, by the MDRP service rules the live service shares: half the
 * service time is spent on arrival (parking, walking in), the other half after the hand-over, so
 * pickup = max(latest ready time, arrival + half the pickup service) and drop-off = arrival + half the
 * drop-off service. The simulator replays assignments with this same function.
 */
export function planRoute(
  start: RouteStart,
  orders: readonly OrderSnapshot[],
  travel: TravelModel,
  service: ServiceTimes,
): RoutePlan {
  const first = orders[0];
  if (first === undefined) throw new Error('planRoute needs at least one order');
  const halfPickup = service.pickupServiceSeconds / 2;
  const halfDropoff = service.dropoffServiceSeconds / 2;
  const arriveRestaurantAt = start.departAt + travel.seconds(start.position, first.pickup);
  let readyAt = first.readyAt;
  for (const order of orders) readyAt = Math.max(readyAt, order.readyAt);
  const pickupAt = Math.max(readyAt, arriveRestaurantAt + halfPickup);
  const leaveRestaurantAt = pickupAt + halfPickup;
  const stops: StopPlan[] = [];
  let at = leaveRestaurantAt;
  let from = first.pickup;
  for (const order of orders) {
    const arriveAt = at + travel.seconds(from, order.dropoff);
    const dropoffAt = arriveAt + halfDropoff;
    at = dropoffAt + halfDropoff;
    from = order.dropoff;
    stops.push({ orderId: order.id, arriveAt, dropoffAt, leaveAt: at });
  }
  return {
    departAt: start.departAt,
    arriveRestaurantAt,
    pickupAt,
    leaveRestaurantAt,
    stops,
    freeAt: at,
    freePosition: from,
  };
}

/**
 * Seconds of click-to-door no dispatcher can avoid: waiting for the food, half the pickup service, the
 * direct ride and half the drop-off service. Every cost in the engine is measured above this floor.
 */
export function clickToDoorFloor(order: OrderSnapshot, travel: TravelModel, service: ServiceTimes): number {
  return (
    order.readyAt -
    order.placedAt +
    service.pickupServiceSeconds / 2 +
    travel.seconds(order.pickup, order.dropoff) +
    service.dropoffServiceSeconds / 2
  );
}
