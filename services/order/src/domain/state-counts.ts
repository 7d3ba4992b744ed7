import { err, ok, type CodedError, type Result } from '@mealpeak/core';
import { OrderErrors } from './errors.ts';
import { ORDER_STATES, TERMINAL_STATES, type OrderState } from './order.ts';

/**
 * What "orders per state" means for ops (docs/api.md, ops counts): every order currently in a live
 * state, whatever its age, and of the finished ones only those placed in a recent window. Counting
 * finished orders over all history read the whole table, a cost that grew with every order placed.
 */
export const LIVE_STATES: readonly OrderState[] = ORDER_STATES.filter((s) => !TERMINAL_STATES.has(s));
export const FINISHED_STATES: readonly OrderState[] = ORDER_STATES.filter((s) => TERMINAL_STATES.has(s));

/** The window when the caller names none: a day, what an ops screen compares against. */
export const COUNT_WINDOW_DEFAULT_MS = 24 * 3_600_000;
/** The longest window: its cost grows with its length (an index range of finished orders). */
export const COUNT_WINDOW_MAX_MS = 7 * 24 * 3_600_000;

/** The start of the window for finished orders, or a field error on `since` out of range. */
export function countWindowStart(since: Date | undefined, now: Date): Result<Date, CodedError> {
  if (since === undefined) return ok(new Date(now.getTime() - COUNT_WINDOW_DEFAULT_MS));
  if (Number.isNaN(since.getTime()) || since.getTime() < now.getTime() - COUNT_WINDOW_MAX_MS)
    return err(OrderErrors.invalid([{ field: 'since', message: 'must be at most 7 days ago' }]));
  if (since.getTime() > now.getTime())
    return err(OrderErrors.invalid([{ field: 'since', message: 'must not be in the future' }]));
  return ok(since);
}
