import type { Point, ServiceTimes, TravelModel } from '../dispatch/index.ts';

export interface EtaInput {
  /** Seconds, on the same clock as readyAt. */
  readonly now: number;
  readonly rider: Point;
  /** The restaurant while the food is still there; undefined once picked up. */
  readonly restaurant: Point | undefined;
  /** When the food is (expected to be) ready; ignored after pickup. */
  readonly readyAt: number;
  /** Drop-offs still to do, in delivery order, ending with the order being tracked. */
  readonly stops: readonly Point[];
  readonly travel: TravelModel;
  readonly service: ServiceTimes;
}

export interface Eta {
  readonly pickupAt: number | undefined;
  readonly dropoffAt: number;
}

/**
 * When the rider will hand over the tracked order, by the same service rules the engine plans with
 * (route-plan.ts): half a service on arrival, half on leaving; pickup no earlier than the food is
 * ready; earlier drop-offs of the bundle first.
 */
export function deliveryEta(input: EtaInput): Eta {
  const halfPickup = input.service.pickupServiceSeconds / 2;
  const halfDropoff = input.service.dropoffServiceSeconds / 2;
  let at = input.now;
  let from = input.rider;
  let pickupAt: number | undefined;
  if (input.restaurant) {
    at += input.travel.seconds(from, input.restaurant);
    pickupAt = Math.max(input.readyAt, at + halfPickup);
    at = pickupAt + halfPickup;
    from = input.restaurant;
  }
  if (input.stops.length === 0) throw new Error('deliveryEta needs the tracked stop');
  let dropoffAt = at;
  input.stops.forEach((stop, i) => {
    at += input.travel.seconds(from, stop);
    dropoffAt = at + halfDropoff;
    if (i < input.stops.length - 1) at = dropoffAt + halfDropoff;
    from = stop;
  });
  return { pickupAt, dropoffAt };
}

export interface UnassignedEtaInput {
  readonly now: number;
  readonly restaurant: Point;
  readonly dropoff: Point;
  readonly readyAt: number;
  /** Typical time for a rider to reach a restaurant (the engine's bundling.typicalApproachSeconds). */
  readonly approachSeconds: number;
  readonly travel: TravelModel;
  readonly service: ServiceTimes;
}

/**
 * An estimate before any rider is assigned: pickup when the food is ready or a typical approach
 * from now, whichever is later, then the direct ride.
 */
export function unassignedEta(input: UnassignedEtaInput): Eta {
  const halfPickup = input.service.pickupServiceSeconds / 2;
  const pickupAt = Math.max(input.readyAt, input.now + input.approachSeconds + halfPickup);
  const dropoffAt =
    pickupAt +
    halfPickup +
    input.travel.seconds(input.restaurant, input.dropoff) +
    input.service.dropoffServiceSeconds / 2;
  return { pickupAt, dropoffAt };
}
