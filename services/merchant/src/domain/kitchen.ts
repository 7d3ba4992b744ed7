import type { OrderState } from './types.ts';

/**
 * Preparation estimate for a new order. The kitchen prepares `capacity` orders at once, first come
 * first served, each taking `basePrepSeconds`; a new order joins behind `backlog` others, so it is
 * done after ceil((backlog + 1) / capacity) rounds. Idle kitchen: the base time; grows by one base
 * time per full kitchen load ahead of it; never more than MAX_PREP_ESTIMATE_SECONDS.
 */
export function prepEstimateSeconds(basePrepSeconds: number, capacity: number, backlog: number): number {
  const rounds = Math.floor(Math.max(0, backlog) / Math.max(1, capacity)) + 1;
  return Math.min(basePrepSeconds * rounds, MAX_PREP_ESTIMATE_SECONDS);
}

/**
 * The longest estimate quoted, and the most the order service takes with an acceptance (its
 * MAX_PREP_SECONDS): a kitchen with auto-pause off and a flood of orders waiting would otherwise
 * quote days and have every accept refused as INVALID_ARGUMENT.
 */
export const MAX_PREP_ESTIMATE_SECONDS = 4 * 3600;

/**
 * The backlog beyond which nothing changes: the estimate has reached its cap and auto-pause its
 * threshold. Counting stops there, so a kitchen with thousands of orders waiting (a benchmark that
 * never accepts; an outage of the merchant's app) costs a bounded count per recount.
 */
export function backlogThatMatters(m: {
  readonly kitchenCapacity: number;
  readonly basePrepSeconds: number;
  readonly autoPauseBacklog: number;
}): number {
  const roundsToCap = Math.ceil(MAX_PREP_ESTIMATE_SECONDS / Math.max(1, m.basePrepSeconds));
  return Math.max(m.autoPauseBacklog, Math.max(1, m.kitchenCapacity) * roundsToCap);
}

/** Auto-pause resumes once the backlog is back to this fraction of the threshold (docs/merchant.md). */
export const RESUME_FRACTION = 0.75;

/** Highest backlog at which an auto-paused merchant resumes. */
export const resumeBacklog = (threshold: number): number => Math.floor(threshold * RESUME_FRACTION);

/**
 * Auto-pause with hysteresis: pause when the backlog reaches the threshold, resume only once it
 * has fallen to 75% of it, so a kitchen hovering at the threshold does not flap open and paused
 * with every accepted or ready order. A threshold of 0 turns auto-pause off.
 */
export function nextAutoPaused(autoPaused: boolean, backlog: number, threshold: number): boolean {
  if (threshold <= 0) return false;
  return autoPaused ? backlog > resumeBacklog(threshold) : backlog >= threshold;
}

/**
 * An order as the kitchen sees it: `placed` (waiting for the merchant's acceptance) and `accepted`
 * (cooking) count in the backlog; the others do not.
 */
export type KitchenState = 'placed' | 'accepted' | 'ready' | 'dropped';

/**
 * A `placed` row older than this no longer counts: the order service rejects an order not accepted
 * within minutes, so such a row only means its REJECTED event has not come (yet); it must not keep
 * the merchant paused.
 */
export const PLACED_COUNTS_FOR_MS = 3_600_000;

/**
 * The longest time the order service gives a merchant to accept (its ACCEPT_TIMEOUT_SECONDS is at
 * most this): an order is accepted, if ever, within this long of its creation (plus the expiry
 * sweeper's lag, about a second: the order service's ACCEPT does not check acceptBy itself).
 */
export const MAX_ACCEPT_WAIT_MS = 3_600_000;

/**
 * How long after its acceptance an `accepted` row must still count: no order is given a longer
 * preparation than MAX_PREP_ESTIMATE_SECONDS, so an hour past that the merchant has forgotten to
 * mark it ready, and it must not inflate every estimate or keep the store paused. The order
 * service alerts on such orders much earlier (MealpeakAcceptedOrdersOverdue); the order itself
 * stays ACCEPTED (docs/merchant.md, ADR 0017).
 */
export const ACCEPTED_COUNTS_AFTER_ACCEPTANCE_MS = MAX_PREP_ESTIMATE_SECONDS * 1000 + 3_600_000;

/**
 * An `accepted` row created longer ago than this no longer counts. The bound is on the row's
 * creation, a column no update changes, not on its last change: indexing updated_at made every
 * ready -> ready update (RIDER_ASSIGNED, PICKED_UP, DELIVERED) a non-HOT one. The row is created
 * no earlier than the order, which is accepted within MAX_ACCEPT_WAIT_MS of its creation, so
 * every accepted row still counts ACCEPTED_COUNTS_AFTER_ACCEPTANCE_MS after its acceptance.
 */
export const ACCEPTED_COUNTS_FOR_MS = ACCEPTED_COUNTS_AFTER_ACCEPTANCE_MS + MAX_ACCEPT_WAIT_MS;

export interface KitchenOrder {
  readonly orderId: string;
  readonly merchantId: string;
  readonly state: KitchenState;
  /** Version of the order snapshot this row was built from (order.v1 Order.version). */
  readonly version: number;
}

/** Where an order in `state` stands in the kitchen. */
export function kitchenStateOf(state: OrderState): KitchenState {
  switch (state) {
    case 'PLACED':
      return 'placed';
    case 'ACCEPTED':
      return 'accepted';
    // A rider is only assigned, and the order picked up, once it is ready (ADR 0006).
    case 'READY_FOR_PICKUP':
    case 'RIDER_ASSIGNED':
    case 'PICKED_UP':
    case 'DELIVERED':
      return 'ready';
    case 'REJECTED':
    case 'CANCELLED':
      return 'dropped';
  }
}

export interface OrderSnapshot {
  readonly orderId: string;
  readonly merchantId: string;
  readonly state: OrderState;
  readonly version: number;
  /** The state the order left for this one, when known (events say; command replies do not). */
  readonly fromState?: OrderState | undefined;
}

/**
 * Whether the food of a cancelled order had been cooked: the order left a ready-or-later state, or
 * the kitchen marked it ready. Its stock stays taken: a made-to-order dish is not sold again.
 */
export function cookedWhenCancelled(snapshot: OrderSnapshot, kitchen: KitchenOrder | undefined): boolean {
  if (snapshot.state !== 'CANCELLED') return false;
  const from = snapshot.fromState && kitchenStateOf(snapshot.fromState);
  return from === 'ready' || kitchen?.state === 'ready';
}

/**
 * The kitchen row after seeing `snapshot`, or undefined when nothing changes. Snapshots arrive at
 * least once and, between the event stream and the merchant's own commands, in any order: one not
 * newer than the row's version is stale and ignored, which makes applying it twice harmless.
 */
export function nextKitchenOrder(
  current: KitchenOrder | undefined,
  snapshot: OrderSnapshot,
): KitchenOrder | undefined {
  const state = kitchenStateOf(snapshot.state);
  if (current && snapshot.version <= current.version) return undefined;
  return { orderId: snapshot.orderId, merchantId: snapshot.merchantId, state, version: snapshot.version };
}
