import type { CodedError } from '@mealpeak/core';

/** WGS84 decimal degrees, as the apps send them. */
export interface LatLng {
  readonly lat: number;
  readonly lng: number;
}

/** One fix from a rider's device. */
export interface PositionPing extends LatLng {
  readonly riderId: string;
  /** When the device took the fix, in epoch milliseconds (the device's clock). */
  readonly recordedAt: number;
}

/**
 * What became of one ping. Drops are normal traffic (phones retry, batches arrive late), not errors:
 * the gateway answers them with 2xx and only `invalid` with a 400 carrying the field.
 */
export type PingOutcome =
  /**
   * Now the rider's position. `jump`: it was farther from the previous fix than a rider can travel
   * (docs/adr/0018-position-plausibility.md) and is used anyway: `flagged` because the check only
   * flags, `relocated` because the fixes before it agreed with it.
   */
  | { readonly status: 'accepted'; readonly jump?: 'flagged' | 'relocated' }
  | { readonly status: 'dropped_stale' }
  | { readonly status: 'dropped_out_of_order' }
  /** Farther from the previous fix than a rider can travel (check `enforce`): the rider did not move. */
  | { readonly status: 'dropped_implausible' }
  | { readonly status: 'invalid'; readonly error: CodedError }
  | { readonly status: 'unavailable'; readonly error: CodedError };

export interface RiderPosition extends LatLng {
  readonly riderId: string;
  /** The fix's own timestamp (epoch ms). */
  readonly recordedAt: number;
  /** now - recordedAt, by the reader's clock. */
  readonly ageMs: number;
}

export interface NearbyRider extends RiderPosition {
  readonly distanceM: number;
}

/** Settings shared by writers and readers of one index; both sides must agree on them. */
export interface PositionIndexOptions {
  /**
   * Names the index (a city, an environment): keys are `{<namespace>}:geo`, `{<namespace>}:seen` and `{<namespace>}:suspects`,
   * so one index lives in one cluster slot and Lua can touch both keys. Default `rider-positions`.
   */
  readonly namespace?: string;
  /** A rider silent for longer than this disappears from every read (RIDER_POSITION_TTL). */
  readonly ttlMs?: number;
  /** Clock in epoch ms; tests pass their own. */
  readonly now?: () => number;
}

export const DEFAULT_TTL_MS = 60_000;
