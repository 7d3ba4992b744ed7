import { err, greatCircleMetres, ok, type CodedError, type LatLng, type Result } from '@mealpeak/core';
import { DispatchErrors } from '../errors.ts';

/**
 * Where the rider was when reporting a pickup or a delivery (risk control,
 * docs/adr/0015-handover-plausibility.md): near the handover point, far from it, or unverified
 * (no fresh position to judge by).
 */
export type HandoverVerdict = 'near' | 'far' | 'unverified';

export interface HandoverCheck {
  readonly verdict: HandoverVerdict;
  /** From the rider's latest fresh fix to the handover point, whole metres; absent when unverified. */
  readonly distanceM?: number;
  /** How old that fix was when the rider reported, whole seconds. */
  readonly fixAgeS?: number;
}

/** off: no check; flag: judge and record; enforce: also refuse a handover judged far. */
export type HandoverMode = 'off' | 'flag' | 'enforce';

export interface HandoverPolicy {
  readonly mode: HandoverMode;
  /** A handover within this distance of its point is near (HANDOVER_MAX_DISTANCE_M). */
  readonly maxDistanceM: number;
}

/**
 * A fix is up to the position TTL old, and the rider moved since: each second of its age widens
 * the allowance by what a fast city rider covers (30 km/h), so a stale fix never makes an honest
 * rider look far.
 */
export const HANDOVER_SLACK_MPS = 8.3;

export interface Fix extends LatLng {
  /** The fix's own timestamp, epoch ms. */
  readonly recordedAt: number;
}

/** Judges a handover at `point` by the rider's latest fresh fix (undefined: none known). */
export function checkHandover(
  point: LatLng,
  fix: Fix | undefined,
  now: Date,
  policy: HandoverPolicy,
): HandoverCheck {
  if (!fix) return { verdict: 'unverified' };
  const distanceM = Math.round(greatCircleMetres(fix, point));
  const ageS = Math.max(0, (now.getTime() - fix.recordedAt) / 1000);
  const allowedM = policy.maxDistanceM + ageS * HANDOVER_SLACK_MPS;
  return { verdict: distanceM > allowedM ? 'far' : 'near', distanceM, fixAgeS: Math.round(ageS) };
}

/**
 * In enforce mode a handover judged far is refused (the rider retries from the door); an
 * unverified one goes through in every mode, so a phone without a fix or our own position store
 * being down never keeps a rider from completing.
 */
export function admitHandover(
  step: 'pickup' | 'delivery',
  orderId: string,
  check: HandoverCheck,
  policy: HandoverPolicy,
): Result<HandoverCheck, CodedError> {
  if (policy.mode !== 'enforce' || check.verdict !== 'far') return ok(check);
  return err(
    step === 'pickup'
      ? DispatchErrors.notAtPickup(orderId, check.distanceM ?? 0, policy.maxDistanceM)
      : DispatchErrors.notAtDropoff(orderId, check.distanceM ?? 0, policy.maxDistanceM),
  );
}
