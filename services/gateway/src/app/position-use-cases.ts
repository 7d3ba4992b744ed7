import { codedError, err, ok, type CodedError, type FieldError, type Result } from '@mealpeak/core';
import { checkPing } from '@mealpeak/rider-positions';
import type { PositionsPort } from './ports.ts';

/** Device clocks run ahead a little; the writer (adapters/redis-positions.ts) uses the same allowance. */
export const PING_MAX_FUTURE_MS = 30_000;

/** The store is down: the app retries after Retry-After. No Redis detail reaches the client. */
export const POSITIONS_UNAVAILABLE: CodedError = codedError(
  'unavailable',
  'POSITIONS_UNAVAILABLE',
  'rider positions cannot be stored right now; retry later',
);

/** One fix as the rider app sends it, its time already parsed (epoch ms). */
export interface Fix {
  readonly lat: number;
  readonly lng: number;
  readonly recordedAt: number;
}

export interface PositionReport {
  readonly accepted: number;
  /**
   * Stale (older than the TTL), not newer than the rider's stored fix, or implausible: normal
   * traffic, not errors.
   */
  readonly dropped: number;
  /**
   * Of the dropped, those farther from the rider's last position than a rider can travel
   * (RIDER_POSITION_CHECK=enforce, ADR 0018). Under `flag` such fixes are used and not reported.
   */
  readonly implausible: number;
}

// Shape only here; age and order are the writer's business (stale and out-of-order are drops).
const SHAPE_ONLY = { maxAgeMs: Number.POSITIVE_INFINITY, maxFutureMs: PING_MAX_FUTURE_MS };

const invalid = (fields: FieldError[]): CodedError =>
  // The code of the schema's 400s: to the app, a ping from the future is as malformed as lat 91.
  codedError(
    'invalid',
    'VALIDATION_FAILED',
    `invalid request: ${fields[0]?.field} ${fields[0]?.message}`,
    fields,
  );

const named = (i: number, fields: readonly FieldError[] | undefined): FieldError[] =>
  (fields ?? []).map((f) => ({ field: `pings[${i}].${f.field}`, message: f.message }));

/**
 * Position pings: the highest-rate traffic of the platform, so nothing here does I/O but the
 * write. The request is refused whole when one ping is malformed (nothing is written); the writer
 * micro-batches the pings of every concurrent request into one Redis pipeline.
 */
export function createPositionUseCases(positions: PositionsPort, now: () => number = Date.now) {
  return {
    async report(riderId: string, fixes: readonly Fix[]): Promise<Result<PositionReport, CodedError>> {
      const at = now();
      const fields = fixes.flatMap((f, i) => {
        const outcome = checkPing({ riderId, ...f }, at, SHAPE_ONLY);
        return outcome?.status === 'invalid' ? named(i, outcome.error.fields) : [];
      });
      if (fields.length > 0) return err(invalid(fields));
      if (!positions.isAvailable()) return err(POSITIONS_UNAVAILABLE);

      const outcomes = await Promise.all(
        fixes.map((f) => positions.write({ riderId, lat: f.lat, lng: f.lng, recordedAt: f.recordedAt })),
      );
      let accepted = 0;
      let implausible = 0;
      for (const [i, outcome] of outcomes.entries()) {
        switch (outcome.status) {
          case 'accepted':
            accepted += 1;
            break;
          case 'dropped_implausible':
            implausible += 1;
            break;
          case 'dropped_stale':
          case 'dropped_out_of_order':
            break;
          case 'unavailable':
            return err(POSITIONS_UNAVAILABLE);
          case 'invalid':
            // Checked above with the same rules; only a clock tick between the two could land here.
            return err(invalid(named(i, outcome.error.fields)));
        }
      }
      return ok({ accepted, dropped: fixes.length - accepted, implausible });
    },
  };
}

export type PositionUseCases = ReturnType<typeof createPositionUseCases>;
