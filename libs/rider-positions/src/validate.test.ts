import { describe, expect, it } from 'vitest';
import { checkPing } from './validate.ts';

const now = 1_800_000_000_000;
const limits = { maxAgeMs: 60_000, maxFutureMs: 30_000 };
const ping = { riderId: 'r-1', lat: 31.23, lng: 121.47, recordedAt: now - 1_000 };

describe('checkPing', () => {
  it('lets a well-formed recent ping through', () => {
    expect(checkPing(ping, now, limits)).toBeUndefined();
    expect(checkPing({ ...ping, recordedAt: now + 29_000 }, now, limits)).toBeUndefined();
  });

  it.each([
    ['lat', { lat: 91 }],
    ['lat', { lat: 86 }],
    ['lat', { lat: Number.NaN }],
    ['lng', { lng: -180.5 }],
    ['lng', { lng: Number.POSITIVE_INFINITY }],
    ['riderId', { riderId: '' }],
    ['riderId', { riderId: 'x'.repeat(65) }],
    ['recordedAt', { recordedAt: now + 31_000 }],
    ['recordedAt', { recordedAt: Number.NaN }],
  ])('rejects a bad %s with the field named', (field, change) => {
    const outcome = checkPing({ ...ping, ...change }, now, limits);
    expect(outcome?.status).toBe('invalid');
    if (outcome?.status === 'invalid') {
      expect(outcome.error.code).toBe('INVALID_POSITION');
      expect(outcome.error.fields?.map((f) => f.field)).toEqual([field]);
    }
  });

  it('names every bad field at once', () => {
    const outcome = checkPing({ riderId: '', lat: 100, lng: 200, recordedAt: now }, now, limits);
    expect(outcome?.status === 'invalid' && outcome.error.fields?.map((f) => f.field)).toEqual([
      'riderId',
      'lat',
      'lng',
    ]);
  });

  it('drops a fix older than the staleness limit instead of rejecting it', () => {
    expect(checkPing({ ...ping, recordedAt: now - 60_001 }, now, limits)).toEqual({
      status: 'dropped_stale',
    });
  });
});
