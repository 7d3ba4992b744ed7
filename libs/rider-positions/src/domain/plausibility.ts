import { greatCircleMetres, type LatLng } from '@mealpeak/core';

/**
 * Whether a rider's fix is believable after the previous one (docs/adr/0018-position-plausibility.md).
 * Pure: the Lua of APPLY_PING (scripts.ts) runs the same rule inside the ping's one Redis call, and
 * the in-memory index runs this one; the integration tests hold the two to the same answers.
 */

export interface Fix extends LatLng {
  /** When the device took the fix (epoch ms, already clamped to the server's now). */
  readonly recordedAt: number;
}

/**
 * Consecutive fixes refused as jumps that agree with each other: perhaps the rider's real new
 * place (the refused one was right and the stored one wrong, or the jump was real).
 */
export interface Suspect extends Fix {
  /** recordedAt of the run's first fix. */
  readonly since: number;
  /** Fixes in the run, this one included. */
  readonly count: number;
}

/** `flag`: judge, count, still use the fix; `enforce`: a jump does not move the rider; `off`: no judging. */
export type PositionCheck = 'off' | 'flag' | 'enforce';
export const POSITION_CHECKS = ['off', 'flag', 'enforce'] as const satisfies readonly PositionCheck[];

export interface PlausibilityRule {
  /** Fastest believable ground speed (m/s) between two fixes. */
  readonly maxSpeedMps: number;
  /** Distance always allowed whatever the time between fixes: GPS noise, urban canyons. */
  readonly slackM: number;
  /** A run of this many agreeing jumped fixes... */
  readonly confirmFixes: number;
  /** ...spanning at least this long (first to last fix) moves the rider there. */
  readonly confirmSpanMs: number;
}

/**
 * 40 m/s (144 km/h): a motorbike on an urban motorway with a fix off by a few hundred metres at
 * either end still passes, a jump across town in seconds does not. 250 m of slack: GPS between
 * high-rises. Three agreeing fixes over 10 s: two pings of a phone pinging every 5 s after the
 * first one, so an honest rider is at worst 10 s behind, and a spoofer pays the same delay.
 */
export const DEFAULT_PLAUSIBILITY: PlausibilityRule = {
  maxSpeedMps: 40,
  slackM: 250,
  confirmFixes: 3,
  confirmSpanMs: 10_000,
};

/** Distance a rider may cover from `from` by the time of `to`. */
export const allowedMetres = (from: Fix, to: Fix, rule: PlausibilityRule): number =>
  rule.slackM + (rule.maxSpeedMps * Math.max(0, to.recordedAt - from.recordedAt)) / 1_000;

export const reachable = (from: Fix, to: Fix, rule: PlausibilityRule): boolean =>
  greatCircleMetres(from, to) <= allowedMetres(from, to, rule);

export type Judgement =
  | { readonly verdict: 'plausible' }
  /** A jump, but the run of agreeing fixes it ends confirms the new place. */
  | { readonly verdict: 'confirmed'; readonly jumpM: number }
  | { readonly verdict: 'jump'; readonly jumpM: number; readonly suspect: Suspect };

/**
 * Judges `fix` against the rider's last accepted fix (`last`; none: anything goes) and the run of
 * refused fixes since (`suspect`). The allowance grows with the time since `last`, so a far first
 * fix after a long gap (tunnel, phone off) passes by itself; a stream of agreeing fixes at a new
 * place passes after the confirmation, so a rider is never held at a wrong old fix for ever.
 * Callers have already dropped fixes not newer than `last` (out of order).
 */
export function judgeFix(
  last: Fix | undefined,
  suspect: Suspect | undefined,
  fix: Fix,
  rule: PlausibilityRule = DEFAULT_PLAUSIBILITY,
): Judgement {
  if (last === undefined || reachable(last, fix, rule)) return { verdict: 'plausible' };
  const jumpM = greatCircleMetres(last, fix);
  const continues =
    suspect !== undefined && suspect.recordedAt <= fix.recordedAt && reachable(suspect, fix, rule);
  const run: Suspect = continues
    ? {
        lat: fix.lat,
        lng: fix.lng,
        recordedAt: fix.recordedAt,
        since: suspect.since,
        count: suspect.count + 1,
      }
    : { lat: fix.lat, lng: fix.lng, recordedAt: fix.recordedAt, since: fix.recordedAt, count: 1 };
  if (run.count >= rule.confirmFixes && run.recordedAt - run.since >= rule.confirmSpanMs)
    return { verdict: 'confirmed', jumpM };
  return { verdict: 'jump', jumpM, suspect: run };
}

/** What the index keeps per rider to judge the next fix. */
export interface Track {
  readonly last: Fix | undefined;
  readonly suspect: Suspect | undefined;
}

/**
 * How a fix lands: `accepted` (plausible), `flagged` (a jump, used anyway: flag mode), `relocated`
 * (a jump confirmed by agreeing fixes), `dropped` (a jump, not used: enforce mode).
 */
export type Landing = 'accepted' | 'flagged' | 'relocated' | 'dropped';

/** One fix applied to a rider's track under a mode: the whole state machine of the index. */
export function land(
  track: Track,
  fix: Fix,
  mode: PositionCheck,
  rule: PlausibilityRule = DEFAULT_PLAUSIBILITY,
): { landing: Landing; track: Track } {
  const moved = { last: fix, suspect: undefined };
  if (mode === 'off') return { landing: 'accepted', track: moved };
  const judged = judgeFix(track.last, mode === 'enforce' ? track.suspect : undefined, fix, rule);
  switch (judged.verdict) {
    case 'plausible':
      return { landing: 'accepted', track: moved };
    case 'confirmed':
      return { landing: 'relocated', track: moved };
    case 'jump':
      return mode === 'flag'
        ? { landing: 'flagged', track: moved }
        : { landing: 'dropped', track: { last: track.last, suspect: judged.suspect } };
  }
}
