import { field, type FieldError } from './errors.ts';
import type { OpeningWindow } from './types.ts';

export const MINUTES_PER_DAY = 1440;

const WEEKDAYS: Readonly<Record<string, number>> = { Mon: 0, Tue: 1, Wed: 2, Thu: 3, Fri: 4, Sat: 5, Sun: 6 };

// Building an Intl.DateTimeFormat costs far more than using one, and a listing evaluates hundreds of
// merchants: keep one formatter per zone (a pure cache, the result never depends on it). Only
// stored zones reach it (isOpenAt), so it is as large as the distinct zones merchants have;
// validating a zone (canonicalTimeZone) never adds to it: Intl ignores case, so requests could
// otherwise fill it with "europe/berlin", "EUROPE/berlin"... (native memory, ~25 KB each).
const formatters = new Map<string, Intl.DateTimeFormat>();

/** Formatters cached (a figure for tests: validation must not add to it). */
export const cachedFormatterCount = (): number => formatters.size;

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      weekday: 'short',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** Whether Intl can evaluate wall-clock time in `timeZone` (a zone name or, on Node 24, an offset). */
export function isUsableTimeZone(timeZone: string): boolean {
  if (timeZone.length === 0) return false;
  try {
    formatterFor(timeZone);
    return true;
  } catch {
    return false;
  }
}

// The characters of IANA tz database names ("Europe/Berlin", "America/Port-au-Prince",
// "Etc/GMT+5", "UTC"): a name starts with a letter, so an offset such as "+01:00" is not one.
const IANA_NAME = /^[A-Za-z][A-Za-z0-9_+-]*(?:\/[A-Za-z0-9_+-]+)*$/;

/**
 * A merchant's time zone must be an IANA zone name, aliases included ("UTC", "Etc/UTC",
 * "Asia/Calcutta", "US/Eastern"): Intl knows no other names, but Node 24's also takes fixed UTC
 * offsets ("+01:00"), which ignore daylight saving time and would shift opening hours by an hour
 * for half the year. The name's syntax rules offsets out; Intl rules out names it does not know.
 */
export function isValidTimeZone(timeZone: string): boolean {
  return canonicalTimeZone(timeZone) !== undefined;
}

/**
 * The zone as Intl names it ("europe/berlin" -> "Europe/Berlin", "US/Eastern" ->
 * "America/New_York"), or undefined when it is not a valid zone name (isValidTimeZone). Stored
 * zones are canonical, so the same zone is one string (and one cached formatter) everywhere.
 */
export function canonicalTimeZone(timeZone: string): string | undefined {
  if (!IANA_NAME.test(timeZone)) return undefined;
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone }).resolvedOptions().timeZone;
  } catch {
    return undefined;
  }
}

/** Wall-clock weekday (0 = Monday) and minute of the day at `instant` in `timeZone` (IANA). */
export function localDayAndMinute(timeZone: string, instant: Date): { day: number; minute: number } {
  const parts = formatterFor(timeZone).formatToParts(instant);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  const day = WEEKDAYS[get('weekday')];
  if (day === undefined) throw new Error(`unexpected weekday from Intl for ${timeZone}`);
  return { day, minute: Number(get('hour')) * 60 + Number(get('minute')) };
}

/**
 * Whether any window contains `instant`, evaluated on the merchant's wall clock (so DST shifts
 * move nothing: 10:00 stays 10:00). A window whose close is before its open runs past midnight:
 * Friday 18:00-02:00 also covers Saturday 00:00-02:00. Windows may overlap; they are a union.
 */
export function isOpenAt(hours: readonly OpeningWindow[], timeZone: string, instant: Date): boolean {
  // A stored zone this runtime cannot evaluate (written before validation was strict, or under
  // another ICU version) makes the merchant closed rather than fail every page that lists it.
  if (hours.length === 0 || !isUsableTimeZone(timeZone)) return false;
  const { day, minute } = localDayAndMinute(timeZone, instant);
  return hours.some((w) => {
    if (w.openMinute < w.closeMinute)
      return w.dayOfWeek === day && minute >= w.openMinute && minute < w.closeMinute;
    return (
      (w.dayOfWeek === day && minute >= w.openMinute) ||
      ((w.dayOfWeek + 1) % 7 === day && minute < w.closeMinute)
    );
  });
}

/** Problems of a list of windows, as field errors under `opening_hours[i]`. */
export function validateOpeningHours(hours: readonly OpeningWindow[]): FieldError[] {
  const problems: FieldError[] = [];
  hours.forEach((w, i) => {
    const at = `opening_hours[${i}]`;
    if (!Number.isInteger(w.dayOfWeek) || w.dayOfWeek < 0 || w.dayOfWeek > 6)
      problems.push(field(`${at}.day_of_week`, 'must be 0 (Monday) to 6 (Sunday)'));
    if (!Number.isInteger(w.openMinute) || w.openMinute < 0 || w.openMinute >= MINUTES_PER_DAY)
      problems.push(field(`${at}.open_minute`, 'must be 0 to 1439'));
    if (!Number.isInteger(w.closeMinute) || w.closeMinute < 1 || w.closeMinute > MINUTES_PER_DAY)
      problems.push(field(`${at}.close_minute`, 'must be 1 to 1440'));
    else if (w.closeMinute === w.openMinute)
      problems.push(field(`${at}.close_minute`, 'must differ from open_minute (use 0-1440 for all day)'));
  });
  return problems;
}
