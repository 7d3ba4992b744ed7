import { describe, expect, it } from 'vitest';
import { MAX_PREP_ESTIMATE_SECONDS } from './kitchen.ts';
import {
  DEFAULT_DELIVERY_RADIUS_M,
  profileOf,
  validateId,
  validateMenuItem,
  validateProfile,
  type MerchantProfile,
} from './merchant-profile.ts';

const profile: MerchantProfile = {
  id: 'm-1',
  name: 'Curry 36',
  location: { lat: 52.52, lng: 13.4 },
  timeZone: 'Europe/Berlin',
  openingHours: [{ dayOfWeek: 0, openMinute: 600, closeMinute: 1320 }],
  kitchenCapacity: 4,
  autoPauseBacklog: 12,
  basePrepSeconds: 600,
  currency: 'EUR',
  deliveryRadiusM: 4_000,
  address: 'Mehringdamm 36, 10961 Berlin',
};

describe('merchant profile', () => {
  it('accepts a complete profile', () => {
    expect(validateProfile(profile)).toEqual([]);
  });

  it('names every bad field', () => {
    expect(
      validateProfile({
        ...profile,
        id: '',
        name: ' ',
        location: { lat: 100, lng: 0 },
        timeZone: 'Berlin',
        kitchenCapacity: 0,
        autoPauseBacklog: -1,
        basePrepSeconds: 0,
        currency: 'eur',
        deliveryRadiusM: 99,
        address: 'x'.repeat(301),
      }).map((p) => p.field),
    ).toEqual([
      'merchant_id',
      'name',
      'location.lat',
      'time_zone',
      'kitchen_capacity',
      'auto_pause_backlog',
      'base_prep_seconds',
      'currency',
      'address',
      'delivery_radius_m',
    ]);
  });

  it('refuses a fixed UTC offset as time zone: it ignores daylight saving time', () => {
    expect(validateProfile({ ...profile, timeZone: '+01:00' })).toEqual([
      { field: 'time_zone', message: 'must be an IANA time zone' },
    ]);
  });

  it('caps base_prep_seconds at the longest estimate quoted, 4 h', () => {
    expect(validateProfile({ ...profile, basePrepSeconds: MAX_PREP_ESTIMATE_SECONDS })).toEqual([]);
    expect(validateProfile({ ...profile, basePrepSeconds: MAX_PREP_ESTIMATE_SECONDS + 1 })).toEqual([
      { field: 'base_prep_seconds', message: 'must be 1 to 14400' },
    ]);
  });

  it('takes an address trimmed, and leaves an absent one absent (kept as stored)', () => {
    expect(profileOf({ ...profile, address: '  Mehringdamm 36 ' }).address).toBe('Mehringdamm 36');
    expect(validateProfile({ ...profile, address: undefined })).toEqual([]);
    expect(profileOf({ ...profile, address: undefined }).address).toBeUndefined();
  });

  it('requires a location and restricts ids to a safe alphabet', () => {
    expect(validateProfile({ ...profile, location: undefined }).map((p) => p.field)).toEqual(['location']);
    expect(validateId('a b', 'item_id')).toHaveLength(1);
    expect(validateId('6d0c0000-0000-4000-8000-000000000101', 'item_id')).toEqual([]);
  });

  it('validates menu items', () => {
    const ok = { name: 'Currywurst', description: '', priceMinor: 450, currency: 'EUR', stock: 500 };
    expect(validateMenuItem(ok)).toEqual([]);
    expect(validateMenuItem({ ...ok, priceMinor: undefined }).map((p) => p.field)).toEqual(['price']);
    expect(validateMenuItem({ ...ok, name: '', priceMinor: -1, stock: 2 ** 31 }).map((p) => p.field)).toEqual(
      ['name', 'price.amount_minor', 'stock'],
    );
  });

  it('counts names and descriptions in characters, and refuses control characters in them', () => {
    const item = { name: 'Ramen', description: '', priceMinor: 900, currency: 'EUR', stock: 5 };
    expect(validateMenuItem({ ...item, name: '🍜'.repeat(200), description: '🍜'.repeat(2000) })).toEqual([]);
    expect(
      validateMenuItem({ ...item, name: '🍜'.repeat(201), description: 'x\u0000' }).map((p) => [
        p.field,
        p.message,
      ]),
    ).toEqual([
      ['name', 'at most 200 characters'],
      ['description', 'must not contain control characters'],
    ]);
    expect(validateProfile({ ...profile, name: 'Curry\u0000 36' }).map((p) => p.field)).toEqual(['name']);
  });

  it('takes a delivery radius of 0 as the default and bounds any other', () => {
    expect(validateProfile({ ...profile, deliveryRadiusM: 0 })).toEqual([]);
    expect(profileOf({ ...profile, deliveryRadiusM: 0 }).deliveryRadiusM).toBe(DEFAULT_DELIVERY_RADIUS_M);
    expect(profileOf(profile).deliveryRadiusM).toBe(4_000);
    for (const bad of [99, 50_001, 1.5])
      expect(validateProfile({ ...profile, deliveryRadiusM: bad }).map((p) => p.field)).toEqual([
        'delivery_radius_m',
      ]);
  });
});
