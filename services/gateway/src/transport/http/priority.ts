import type { Role } from '../../app/principal.ts';
import type { PressureLimits, PressureSample, PressureSignal } from './pressure.ts';

/**
 * How much a request matters when the gateway must refuse some (ADR 0020). Under pressure the
 * sheddable go first, then the normal; the critical are refused only when the process is in real
 * danger (twice the delay limit, the heap limit, the in-flight cap).
 * - critical: the work of the provisioned partners on orders under way (a kitchen loading its
 *   orders, accepting, readying, pausing; a rider's shift, offer, run, pickup and delivery; an ops
 *   cancellation): refusing it stalls food at a counter or a rider at a door. Never a customer
 *   route: a customer token is the cheapest to get, so it must not buy priority.
 * - normal: placing, reading, cancelling orders, lists, menu and store profile edits
 *   (PATCH /v1/merchant); the default.
 * - sheddable: what is cheap to lose and retried anyway: browsing merchants and menus, rider
 *   position pings (the next one replaces it in seconds), and every request that is not a
 *   verified caller of its route (see priorityOf).
 */
export type Priority = 'critical' | 'normal' | 'sheddable';

/**
 * The priority of a request: its route's declared one when its token verified for a role the route
 * admits; sheddable otherwise (no or a bad token, a role the route refuses, routes outside /v1
 * such as the API docs, unknown paths; public routes unless they say), since those are answered 401/403/404 anyway and a flood of
 * them is the commonest abuse. A role alone never buys priority: it must be a caller of the route.
 */
export function priorityOf(
  route: { readonly priority?: Priority; readonly auth?: readonly Role[] | 'public' },
  role: Role | undefined,
): Priority {
  if (route.auth === undefined) return 'sheddable';
  if (route.auth === 'public') return route.priority ?? 'sheddable';
  if (role === undefined || !route.auth.includes(role)) return 'sheddable';
  return route.priority ?? 'normal';
}

interface Share {
  /** Fraction of MAX_IN_FLIGHT this priority may fill. */
  readonly inFlight: number;
  /** Multiple of MAX_EVENT_LOOP_DELAY_MS above which it is refused. */
  readonly eventLoopDelay: number;
  /**
   * Whether utilisation over MAX_EVENT_LOOP_UTILIZATION alone refuses it: the sheddable only. A
   * loop busy all the time that keeps its delay under the limit is serving; the rest are refused
   * once the delay says the loop is late.
   */
  readonly eventLoopUtilization: boolean;
  /** Fraction of the heap limit above which it is refused. */
  readonly heap: number;
}

/**
 * Fixed shares, not settings: the limits themselves are configured (MAX_IN_FLIGHT,
 * MAX_EVENT_LOOP_DELAY_MS, ...), these only order who goes first. The sheddable give up 40% of the
 * in-flight slots, half the delay budget and the utilisation check, which is what keeps room for
 * the rest; the normal keep the delay and heap limits and 85% of the slots, the critical the rest.
 */
const SHARES: Readonly<Record<Priority, Share>> = {
  sheddable: { inFlight: 0.6, eventLoopDelay: 0.5, eventLoopUtilization: true, heap: 0.9 },
  normal: { inFlight: 0.85, eventLoopDelay: 1, eventLoopUtilization: false, heap: 1 },
  critical: { inFlight: 1, eventLoopDelay: 2, eventLoopUtilization: false, heap: 1 },
};

/** Requests of this priority admitted at once: at least one, so a tiny cap still serves everyone. */
export function inFlightLimit(priority: Priority, maxInFlight: number): number {
  return Math.max(1, Math.floor(maxInFlight * SHARES[priority].inFlight));
}

/** Which process signal refuses a request of this priority, or undefined to admit it. */
export function pressureRefusal(
  priority: Priority,
  sample: PressureSample,
  limits: Omit<PressureLimits, 'sampleIntervalMs'>,
): PressureSignal | undefined {
  const share = SHARES[priority];
  if (
    limits.maxEventLoopDelayMs > 0 &&
    sample.eventLoopDelayMs > limits.maxEventLoopDelayMs * share.eventLoopDelay
  )
    return 'event_loop_delay';
  if (sample.heapUsedBytes > limits.maxHeapUsedBytes * share.heap) return 'heap';
  if (
    share.eventLoopUtilization &&
    limits.maxEventLoopUtilization > 0 &&
    sample.eventLoopUtilization > limits.maxEventLoopUtilization
  )
    return 'event_loop_utilization';
  return undefined;
}
