import type { DispatchOrder, Rider } from './model.ts';

/**
 * Taking accepted orders back from a rider who cannot deliver them (docs/dispatch-service.md,
 * docs/adr/0013). Pure: the sweeper feeds it the locked rider and the orders they hold.
 */
export type ReleaseReason = 'offline_requested' | 'shift_ended' | 'rider_silent';

export interface ReleasePolicy {
  /** A rider silent (no fresh position) for this long loses the orders not yet picked up. */
  readonly silentGraceMs: number;
  /** Pickups still pending this long after the rider's shift ended go to someone else. */
  readonly shiftEndGraceMs: number;
}

export type RiderLiveness = Pick<Rider, 'offlineRequested' | 'shiftEndsAt' | 'silentSince'>;
type HeldOrder = Pick<DispatchOrder, 'orderId' | 'state'>;

export interface ReleaseDecision {
  readonly reason: ReleaseReason;
  /** Assigned, not picked up: back to waiting, offered again by the next round. */
  readonly release: readonly string[];
}

/**
 * Why the rider's pending pickups should go to someone else, if they should. The rider's own word
 * (going offline) comes first, then the end of the shift, then silence. `silenceKnown` is false
 * when the position index could not be read: an outage of Redis must not look like every rider
 * going silent at once, so silence then decides nothing.
 */
export function releaseReason(
  rider: RiderLiveness,
  now: Date,
  policy: ReleasePolicy,
  silenceKnown: boolean,
): ReleaseReason | undefined {
  const t = now.getTime();
  if (rider.offlineRequested) return 'offline_requested';
  if (rider.shiftEndsAt.getTime() + policy.shiftEndGraceMs <= t) return 'shift_ended';
  if (silenceKnown && rider.silentSince && rider.silentSince.getTime() + policy.silentGraceMs <= t)
    return 'rider_silent';
  return undefined;
}

/**
 * What to take back from a rider: every order assigned but not yet picked up. Picked-up orders
 * stay with the rider whatever happens (the food is with them; the picked-up-silent gauge and
 * its alert hand those to a person). Undefined when nothing is to be released.
 */
export function decideRelease(
  rider: RiderLiveness,
  orders: readonly HeldOrder[],
  now: Date,
  policy: ReleasePolicy,
  silenceKnown: boolean,
): ReleaseDecision | undefined {
  const reason = releaseReason(rider, now, policy, silenceKnown);
  const release = orders.filter((o) => o.state === 'assigned').map((o) => o.orderId);
  return reason && release.length > 0 ? { reason, release } : undefined;
}

/**
 * The rider's silence after one look at the position index. The index forgets a rider once
 * silent for its TTL, so "not heard" means the last fix is at least `positionTtlMs` old: silence
 * is dated from then (never later than it truly began, never earlier than dispatch can know).
 * A silence already recorded keeps its start; being heard ends it.
 */
export function nextSilentSince(
  silentSince: Date | undefined,
  heard: boolean,
  now: Date,
  positionTtlMs: number,
): Date | undefined {
  if (heard) return undefined;
  return silentSince ?? new Date(now.getTime() - positionTtlMs);
}

/** Riders whose silence started at or before this have been silent for the whole grace period. */
export const silentLongEnough = (now: Date, policy: ReleasePolicy): Date =>
  new Date(now.getTime() - policy.silentGraceMs);
