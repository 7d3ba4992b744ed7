import { describe, expect, it } from 'vitest';
import { COUNT_WINDOW_DEFAULT_MS, COUNT_WINDOW_MAX_MS, countWindowStart } from './state-counts.ts';

const now = new Date('2026-12-06T12:00:00Z');
const ago = (ms: number) => new Date(now.getTime() - ms);

describe('window of finished orders in the counts by state', () => {
  it('defaults to the last day and takes any start within the last week', () => {
    expect(countWindowStart(undefined, now)).toEqual({ ok: true, value: ago(COUNT_WINDOW_DEFAULT_MS) });
    expect(countWindowStart(ago(COUNT_WINDOW_MAX_MS), now)).toEqual({
      ok: true,
      value: ago(COUNT_WINDOW_MAX_MS),
    });
    expect(countWindowStart(now, now)).toEqual({ ok: true, value: now });
  });

  it.each([
    ['more than a week back', ago(COUNT_WINDOW_MAX_MS + 1)],
    ['in the future', new Date(now.getTime() + 1)],
    ['not a date', new Date(Number.NaN)],
  ])('refuses a start %s with a field error on since', (_, since) => {
    const res = countWindowStart(since, now);
    expect(res.ok).toBe(false);
    if (!res.ok) {
      expect(res.error.code).toBe('INVALID_ARGUMENT');
      expect(res.error.fields?.map((f) => f.field)).toEqual(['since']);
    }
  });
});
