import { codedError, type FieldError } from '@mealpeak/core';
import type { PingOutcome, PositionPing } from './types.ts';

/** Redis GEO indexes Web-Mercator latitudes only; no city lies beyond this. */
export const MAX_GEO_LATITUDE = 85.05112878;
export const MAX_RIDER_ID_LENGTH = 64;

export interface PingLimits {
  /** Older fixes are dropped as stale (they would be invisible, or misleading, anyway). */
  readonly maxAgeMs: number;
  /** Device clocks run ahead a little; a fix further in the future than this is invalid. */
  readonly maxFutureMs: number;
}

/**
 * The checks a ping passes before it costs a Redis round trip: `invalid` (with the field) for a
 * malformed ping, `dropped_stale` for one too old to matter, undefined when it may be applied.
 */
export function checkPing(ping: PositionPing, now: number, limits: PingLimits): PingOutcome | undefined {
  const fields: FieldError[] = [];
  if (typeof ping.riderId !== 'string' || ping.riderId.length === 0)
    fields.push({ field: 'riderId', message: 'is required' });
  else if (ping.riderId.length > MAX_RIDER_ID_LENGTH)
    fields.push({ field: 'riderId', message: `is longer than ${MAX_RIDER_ID_LENGTH} characters` });
  if (!Number.isFinite(ping.lat) || Math.abs(ping.lat) > MAX_GEO_LATITUDE)
    fields.push({ field: 'lat', message: `must be a number within ±${MAX_GEO_LATITUDE}` });
  if (!Number.isFinite(ping.lng) || Math.abs(ping.lng) > 180)
    fields.push({ field: 'lng', message: 'must be a number within ±180' });
  if (!Number.isFinite(ping.recordedAt)) fields.push({ field: 'recordedAt', message: 'must be a timestamp' });
  else if (ping.recordedAt > now + limits.maxFutureMs)
    fields.push({
      field: 'recordedAt',
      message: `is more than ${limits.maxFutureMs / 1000} s in the future`,
    });
  if (fields.length > 0) {
    return {
      status: 'invalid',
      error: codedError(
        'invalid',
        'INVALID_POSITION',
        fields.map((f) => `${f.field} ${f.message}`).join('; '),
        fields,
      ),
    };
  }
  if (ping.recordedAt < now - limits.maxAgeMs) return { status: 'dropped_stale' };
  return undefined;
}

/**
 * A fix dated ahead of the server (within maxFutureMs: a device clock running fast) is stored as
 * of now. Kept as sent it would outrank every honest fix of the next seconds (they would be
 * dropped as out of order, freezing the rider where that one put it) and keep the rider fresh
 * after going silent.
 */
export const notAfter = (ping: PositionPing, now: number): { ping: PositionPing; clamped: boolean } =>
  ping.recordedAt > now ? { ping: { ...ping, recordedAt: now }, clamped: true } : { ping, clamped: false };

/**
 * Whether a fix is newer than the stored one. A clamped fix may equal it: a batch from a clock
 * running ahead comes oldest first and all of it is stamped with (about) the same now, so the
 * later fixes of it must still win.
 */
export const supersedes = (stored: number | undefined, recordedAt: number, clamped: boolean): boolean =>
  stored === undefined || (clamped ? stored <= recordedAt : stored < recordedAt);
