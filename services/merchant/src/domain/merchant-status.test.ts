import { describe, expect, it } from 'vitest';
import { controlStatus, refusalFor, statusAt } from './merchant-status.ts';
import type { ManualStatus, MerchantStatus } from './types.ts';

const hours = [{ dayOfWeek: 0, openMinute: 600, closeMinute: 1320 }];
const mondayNoon = new Date('2026-11-23T12:00:00Z');
const mondayNight = new Date('2026-11-23T23:00:00Z');

const merchant = (manualStatus: ManualStatus, autoPaused: boolean) => ({
  manualStatus,
  autoPaused,
  openingHours: hours,
  timeZone: 'UTC',
});

describe('merchant status precedence: CLOSED > PAUSED > AUTO_PAUSED > OPEN', () => {
  it.each<[ManualStatus, boolean, Date, MerchantStatus]>([
    ['OPEN', false, mondayNoon, 'OPEN'],
    ['OPEN', true, mondayNoon, 'AUTO_PAUSED'],
    ['PAUSED', false, mondayNoon, 'PAUSED'],
    ['PAUSED', true, mondayNoon, 'PAUSED'],
    ['OPEN', false, mondayNight, 'CLOSED'],
    ['OPEN', true, mondayNight, 'CLOSED'],
    ['PAUSED', false, mondayNight, 'CLOSED'],
    ['PAUSED', true, mondayNight, 'CLOSED'],
  ])('manual %s, auto-paused %s, at %s -> %s', (manual, auto, at, expected) => {
    expect(statusAt(merchant(manual, auto), at)).toBe(expected);
  });

  it('reports the control status without the calendar (for status events)', () => {
    expect(controlStatus({ manualStatus: 'OPEN', autoPaused: false })).toBe('OPEN');
    expect(controlStatus({ manualStatus: 'OPEN', autoPaused: true })).toBe('AUTO_PAUSED');
    expect(controlStatus({ manualStatus: 'PAUSED', autoPaused: true })).toBe('PAUSED');
  });

  it('takes orders only when OPEN, with a distinct code per reason', () => {
    expect(refusalFor('OPEN')).toBeUndefined();
    expect(refusalFor('CLOSED')?.code).toBe('MERCHANT_CLOSED');
    expect(refusalFor('PAUSED')?.code).toBe('MERCHANT_PAUSED');
    expect(refusalFor('AUTO_PAUSED')).toMatchObject({ code: 'MERCHANT_BUSY', kind: 'exhausted' });
  });
});
