import { describe, expect, it } from 'vitest';
import { validateProfile, type MerchantProfile } from './merchant-profile.ts';
import {
  isEmptyChange,
  validateProfileChange,
  withProfileChange,
  type ProfileChange,
} from './profile-change.ts';
import type { Merchant } from './types.ts';

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

const merchant: Merchant = {
  ...profile,
  address: 'Mehringdamm 36, 10961 Berlin',
  manualStatus: 'PAUSED',
  autoPaused: false,
  backlog: 3,
};

describe('a merchant’s profile change', () => {
  it.each<ProfileChange>([
    { name: '' },
    { name: 'Curry\u0000 36' },
    { address: 'x'.repeat(301) },
    { address: 'Mehringdamm\u202E 36' },
    { timeZone: 'Berlin' },
    { timeZone: '+01:00' },
    { openingHours: [{ dayOfWeek: -1, openMinute: 1440, closeMinute: 0 }] },
    { kitchenCapacity: 1.5 },
    { kitchenCapacity: 0 },
    { basePrepSeconds: 14_401 },
  ])('refuses %j exactly as UpsertMerchant refuses that field', (change) => {
    const problems = validateProfileChange(change);
    expect(problems.length).toBeGreaterThan(0);
    expect(problems).toEqual(validateProfile({ ...profile, ...change }));
  });

  it('checks only the fields it is given', () => {
    expect(validateProfileChange({})).toEqual([]);
    expect(validateProfileChange({ name: 'Curry 36', kitchenCapacity: undefined })).toEqual([]);
    expect(isEmptyChange({ name: undefined })).toBe(true);
    expect(isEmptyChange({ openingHours: [] })).toBe(false);
  });

  it('changes the given fields only: undefined and fields outside the editable ones stay', () => {
    const change = { name: 'Curry 37', address: ' Torstraße 1 ', basePrepSeconds: undefined };
    expect(withProfileChange(merchant, change)).toEqual({
      ...merchant,
      name: 'Curry 37',
      address: 'Torstraße 1',
    });
    // A caller's extra keys (a merged request object) never reach the profile.
    const sneaky = { currency: 'USD', backlog: 0 } as ProfileChange;
    expect(withProfileChange(merchant, sneaky)).toEqual(merchant);
  });
});
