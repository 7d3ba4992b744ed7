/**
 * Vocabulary of the dispatch engine. Units are deliberately neutral so the same engine runs in the live
 * service (lat/lng projected to a local plane) and in the MDRP simulator: points are planar metres,
 * times are seconds on any monotone clock the caller chooses.
 */

export interface Point {
  readonly x: number;
  readonly y: number;
}

/**
 * Travel time between two points, in seconds. `maxSpeed` (metres per second) must bound every answer
 * from below (`seconds(a, b) >= distance(a, b) / maxSpeed`): the engine prunes far riders with it.
 */
export interface TravelModel {
  readonly seconds: (from: Point, to: Point) => number;
  readonly maxSpeed: number;
}

export interface OrderSnapshot {
  readonly id: string;
  readonly restaurantId: string;
  readonly pickup: Point;
  readonly dropoff: Point;
  readonly placedAt: number;
  /** Expected time the food is ready; pickup never happens before it. */
  readonly readyAt: number;
  /** placedAt + the promised click-to-door target. */
  readonly promisedBy: number;
}

export interface RiderSnapshot {
  readonly id: string;
  /** Where the rider is now, or where they will be when they become free. */
  readonly position: Point;
  /** When the rider can take a new bundle; <= now means idle. Busy riders are planned, not committed. */
  readonly availableAt: number;
  /** No pickup after this time (drop-offs after it are fine). */
  readonly shiftEndsAt: number;
}

export interface DispatchSnapshot {
  readonly now: number;
  /** Orders placed and not yet assigned. */
  readonly orders: readonly OrderSnapshot[];
  readonly riders: readonly RiderSnapshot[];
}

export interface StopPlan {
  readonly orderId: string;
  readonly arriveAt: number;
  readonly dropoffAt: number;
  readonly leaveAt: number;
}

/** Times of one rider executing one bundle, following the MDRP service rules (see route-plan.ts). */
export interface RoutePlan {
  readonly departAt: number;
  readonly arriveRestaurantAt: number;
  readonly pickupAt: number;
  readonly leaveRestaurantAt: number;
  readonly stops: readonly StopPlan[];
  /** When and where the rider is free again: the last drop-off's departure. */
  readonly freeAt: number;
  readonly freePosition: Point;
}

export interface Assignment {
  readonly riderId: string;
  readonly restaurantId: string;
  /** Delivery sequence. */
  readonly orderIds: readonly string[];
  readonly plan: RoutePlan;
}

export interface Decision {
  readonly assignments: readonly Assignment[];
  /** Orders deliberately left for a later round (no rider now, or a better moment to commit later). */
  readonly held: readonly string[];
}

/** Knobs of a round; see params.ts for the defaults and what each one does. */
export interface DispatchParams {
  readonly travel: TravelModel;
  readonly pickupServiceSeconds: number;
  readonly dropoffServiceSeconds: number;
  readonly roundWindowSeconds: number;
  readonly maxBundleSize: number;
  readonly maxBundleReadySpreadSeconds: number;
  readonly candidateRiders: number;
  readonly planningHorizonSeconds: number;
  readonly commitSlackSeconds: number;
  readonly holdPostponeSeconds: number;
  readonly weights: CostWeights;
  readonly bundling: BundlingParams;
}

export interface CostWeights {
  /** Per second of click-to-door above the order's physical lower bound. */
  readonly delay: number;
  /** Per second of drop-off after promisedBy. */
  readonly lateness: number;
  /**
   * Per (second late)^2 / hour: a convex lateness term, so postponing an order that is already very
   * late costs more than postponing a fresh one and no order starves behind closer ones.
   */
  readonly latenessSquared: number;
  /** Per second the rider travels to the restaurant. */
  readonly approach: number;
  /** Per second the rider waits at the restaurant for food. */
  readonly idle: number;
  /** Per second the plan keeps the rider busy, when riders are scarce (scaled by scarcity, 0..1). */
  readonly busy: number;
}

export interface BundlingParams {
  /** Value of one rider-second saved, in delay-seconds, when riders are scarce (pressure >= full). */
  readonly riderSecondValue: number;
  /** Demand/supply pressure below which rider time is worth nothing (orders travel alone). */
  readonly pressureStart: number;
  /** Pressure at which a rider-second is worth riderSecondValue. */
  readonly pressureFull: number;
  /** Window over which rider supply is compared with the open orders' demand. */
  readonly horizonSeconds: number;
  /** Approach time assumed for the rider a bundle saves. */
  readonly typicalApproachSeconds: number;
}

export interface DispatchStrategy {
  readonly name: string;
  readonly decide: (snapshot: DispatchSnapshot, params: DispatchParams) => Decision;
}
