import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  cachedFormatterCount,
  canonicalTimeZone,
  isOpenAt,
  isValidTimeZone,
  localDayAndMinute,
  validateOpeningHours,
} from './opening-hours.ts';
import type { OpeningWindow } from './types.ts';

const everyDay = (open: number, close: number): OpeningWindow[] =>
  Array.from({ length: 7 }, (_, d) => ({ dayOfWeek: d, openMinute: open, closeMinute: close }));
const TEN_TO_TEN = everyDay(600, 1320);

describe('local day and minute', () => {
  it.each([
    // 2026-11-23 is a Monday.
    ['2026-11-23T09:00:00Z', 'Europe/Berlin', 0, 600],
    ['2026-11-23T09:00:00Z', 'Asia/Shanghai', 0, 17 * 60],
    ['2026-11-23T03:30:00Z', 'America/New_York', 6, 22 * 60 + 30], // still Sunday evening
    ['2026-11-22T23:59:00Z', 'UTC', 6, 1439],
    ['2026-11-23T00:00:00Z', 'UTC', 0, 0],
    ['2026-11-23T10:15:00Z', 'Asia/Kolkata', 0, 15 * 60 + 45], // half-hour offset
  ])('%s in %s is day %i minute %i', (iso, zone, day, minute) => {
    expect(localDayAndMinute(zone, new Date(iso))).toEqual({ day, minute });
  });
});

describe('isOpenAt', () => {
  it('opens at the open minute and closes at the close minute, local time', () => {
    const berlin = (iso: string) => isOpenAt(TEN_TO_TEN, 'Europe/Berlin', new Date(iso));
    expect(berlin('2026-11-23T08:59:00Z')).toBe(false); // 09:59 CET
    expect(berlin('2026-11-23T09:00:00Z')).toBe(true); // 10:00
    expect(berlin('2026-11-23T20:59:00Z')).toBe(true); // 21:59
    expect(berlin('2026-11-23T21:00:00Z')).toBe(false); // 22:00
  });

  it('evaluates the same instant differently per time zone', () => {
    const instant = new Date('2026-11-23T09:30:00Z');
    expect(isOpenAt(TEN_TO_TEN, 'Europe/Berlin', instant)).toBe(true); // 10:30
    expect(isOpenAt(TEN_TO_TEN, 'Asia/Shanghai', instant)).toBe(true); // 17:30
    expect(isOpenAt(TEN_TO_TEN, 'America/Los_Angeles', instant)).toBe(false); // 01:30
  });

  it('keeps wall-clock hours across a DST change', () => {
    // Berlin: CEST (UTC+2) in July, CET (UTC+1) in November; 10:00 local both times.
    expect(isOpenAt(TEN_TO_TEN, 'Europe/Berlin', new Date('2026-07-06T08:00:00Z'))).toBe(true);
    expect(isOpenAt(TEN_TO_TEN, 'Europe/Berlin', new Date('2026-07-06T07:59:00Z'))).toBe(false);
    expect(isOpenAt(TEN_TO_TEN, 'Europe/Berlin', new Date('2026-11-23T08:59:00Z'))).toBe(false);
  });

  it('runs a window closing before it opens past midnight into the next day', () => {
    const fridayNight: OpeningWindow[] = [{ dayOfWeek: 4, openMinute: 18 * 60, closeMinute: 2 * 60 }];
    const at = (iso: string) => isOpenAt(fridayNight, 'UTC', new Date(iso));
    expect(at('2026-11-27T17:59:00Z')).toBe(false); // Friday
    expect(at('2026-11-27T23:30:00Z')).toBe(true);
    expect(at('2026-11-28T01:59:00Z')).toBe(true); // Saturday morning
    expect(at('2026-11-28T02:00:00Z')).toBe(false);
    expect(at('2026-11-26T23:30:00Z')).toBe(false); // Thursday night
    expect(at('2026-11-27T01:00:00Z')).toBe(false); // Friday morning belongs to Thursday's window
  });

  it('wraps Sunday night into Monday', () => {
    const sunday: OpeningWindow[] = [{ dayOfWeek: 6, openMinute: 20 * 60, closeMinute: 60 }];
    expect(isOpenAt(sunday, 'UTC', new Date('2026-11-23T00:30:00Z'))).toBe(true); // Monday 00:30
  });

  it('treats 0-1440 as all day and no windows as never open', () => {
    expect(isOpenAt(everyDay(0, 1440), 'UTC', new Date('2026-11-23T23:59:59Z'))).toBe(true);
    expect(isOpenAt([], 'UTC', new Date('2026-11-23T12:00:00Z'))).toBe(false);
  });

  it('is the union of overlapping windows', () => {
    const split: OpeningWindow[] = [
      { dayOfWeek: 0, openMinute: 600, closeMinute: 840 },
      { dayOfWeek: 0, openMinute: 1020, closeMinute: 1320 },
    ];
    expect(isOpenAt(split, 'UTC', new Date('2026-11-23T15:00:00Z'))).toBe(false); // lunch break
    expect(isOpenAt(split, 'UTC', new Date('2026-11-23T18:00:00Z'))).toBe(true);
  });

  it('agrees with a minute-by-minute model of the week (property)', () => {
    const windowArb = fc.record({
      dayOfWeek: fc.integer({ min: 0, max: 6 }),
      openMinute: fc.integer({ min: 0, max: 1439 }),
      closeMinute: fc.integer({ min: 1, max: 1440 }),
    });
    const monday = Date.parse('2026-11-23T00:00:00Z');
    fc.assert(
      fc.property(
        fc.array(
          windowArb.filter((w) => w.openMinute !== w.closeMinute),
          { maxLength: 4 },
        ),
        fc.integer({ min: 0, max: 7 * 1440 - 1 }),
        (windows, minuteOfWeek) => {
          const covered = (w: OpeningWindow) => {
            const start = w.dayOfWeek * 1440 + w.openMinute;
            const length = (w.closeMinute - w.openMinute + 1440) % 1440 || 1440;
            return (minuteOfWeek - start + 7 * 1440) % (7 * 1440) < length;
          };
          const instant = new Date(monday + minuteOfWeek * 60_000);
          expect(isOpenAt(windows, 'UTC', instant)).toBe(windows.some(covered));
        },
      ),
    );
  });
});

describe('validation', () => {
  it('accepts IANA zones and rejects the rest', () => {
    expect(isValidTimeZone('Europe/Berlin')).toBe(true);
    expect(isValidTimeZone('Asia/Shanghai')).toBe(true);
    expect(isValidTimeZone('Mars/Olympus')).toBe(false);
    expect(isValidTimeZone('')).toBe(false);
  });

  it('takes IANA zone names and their aliases, never a fixed UTC offset', () => {
    for (const zone of [
      'UTC',
      'Etc/UTC',
      'GMT',
      'Etc/GMT+5',
      'Asia/Calcutta',
      'US/Eastern',
      'America/Port-au-Prince',
    ])
      expect(isValidTimeZone(zone), zone).toBe(true);
    // Node 24's Intl evaluates these, but an offset ignores daylight saving time.
    for (const zone of ['+01:00', '-05:00', '+0100', '+01', 'UTC+1', 'Europe/Berlin '])
      expect(isValidTimeZone(zone), zone).toBe(false);
  });

  it('names a zone as Intl does, whatever its case, so one zone is one stored string', () => {
    expect(canonicalTimeZone('europe/berlin')).toBe('Europe/Berlin');
    expect(canonicalTimeZone('EUROPE/BERLIN')).toBe('Europe/Berlin');
    expect(canonicalTimeZone('etc/utc')).toBe('UTC');
    expect(canonicalTimeZone('Asia/Shanghai')).toBe('Asia/Shanghai');
    expect(canonicalTimeZone('Mars/Olympus')).toBeUndefined();
    expect(canonicalTimeZone('+01:00')).toBeUndefined();
  });

  it('validates a zone without caching a formatter for it (case variants are endless)', () => {
    const before = cachedFormatterCount();
    // Each spelling of a valid zone used to stay cached: a merchant could grow the process by
    // ~25 KB of native memory per request through PATCH /v1/merchant.
    for (let i = 0; i < 64; i += 1) {
      const variant = [...'europe/berlin'].map((c, j) => ((i >> (j % 6)) & 1 ? c.toUpperCase() : c)).join('');
      expect(isValidTimeZone(variant), variant).toBe(true);
    }
    expect(cachedFormatterCount()).toBe(before);
  });

  it('keeps a merchant whose stored zone this runtime cannot evaluate closed rather than failing', () => {
    expect(isOpenAt(TEN_TO_TEN, 'Mars/Olympus', new Date('2026-11-23T09:30:00Z'))).toBe(false);
  });

  it('names every bad window field', () => {
    expect(
      validateOpeningHours([
        { dayOfWeek: 7, openMinute: 600, closeMinute: 1320 },
        { dayOfWeek: 0, openMinute: 1440, closeMinute: 0 },
        { dayOfWeek: 1, openMinute: 600, closeMinute: 600 },
        { dayOfWeek: 2, openMinute: 0, closeMinute: 1440 },
      ]).map((p) => p.field),
    ).toEqual([
      'opening_hours[0].day_of_week',
      'opening_hours[1].open_minute',
      'opening_hours[1].close_minute',
      'opening_hours[2].close_minute',
    ]);
  });
});
