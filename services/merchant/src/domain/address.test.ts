import { describe, expect, it } from 'vitest';
import { addressProblem } from './address.ts';
import { profileOf, validateProfile, type MerchantProfile } from './merchant-profile.ts';

const profile: MerchantProfile = {
  id: 'm-1',
  name: 'Curry 36',
  location: { lat: 52.52, lng: 13.405 },
  timeZone: 'Europe/Berlin',
  openingHours: [],
  kitchenCapacity: 2,
  autoPauseBacklog: 4,
  basePrepSeconds: 600,
  currency: 'EUR',
  deliveryRadiusM: 5_000,
  address: undefined,
};

const fieldsOf = (address: string) => validateProfile({ ...profile, address }).map((p) => p.field);
const stored = (address: string) => profileOf({ ...profile, address }).address;

describe('a street address', () => {
  it('is judged as stored: trimmed first, then up to 300 characters', () => {
    expect(fieldsOf(' '.repeat(5) + 'x'.repeat(300) + '  ')).toEqual([]);
    expect(stored(' '.repeat(5) + 'x'.repeat(300))).toBe('x'.repeat(300));
    expect(fieldsOf(' ' + 'x'.repeat(301))).toEqual(['address']);
    expect(addressProblem('🍜'.repeat(300))).toBeUndefined();
  });

  it('that is blank clears the stored one, as "" does', () => {
    expect(fieldsOf(' \u00A0 ')).toEqual([]);
    expect(stored(' \u00A0 ')).toBe('');
  });

  it('is one line: line breaks and tabs inside it are refused, naming the field', () => {
    for (const bad of [
      'Torstraße 1\n10119 Berlin',
      'Torstraße 1\r\n10119 Berlin',
      'Torstraße\t1',
      'Tor\u2028straße 1',
    ])
      expect(fieldsOf(bad), JSON.stringify(bad)).toEqual(['address']);
    // Blanks around it are trimmed away, not refused.
    expect(fieldsOf('\tTorstraße 1\n')).toEqual([]);
  });

  it('refuses C1 controls and bidirectional formatting characters', () => {
    const refused = [
      '\u0080',
      '\u0085',
      '\u009F',
      '\u200E',
      '\u200F',
      '\u202A',
      '\u202E',
      '\u2066',
      '\u2069',
    ];
    for (const c of refused)
      expect(fieldsOf(`Torstraße ${c}1`), `U+${c.codePointAt(0)!.toString(16)}`).toEqual(['address']);
    expect(fieldsOf('\u202E0 .rtsroT')).toEqual(['address']);
    expect(addressProblem('Tor\u202Estraße')).toMatch(/one line/);
  });

  it('takes letters of any script, punctuation and emoji', () => {
    for (const ok of [
      'Mehringdamm 36, 10961 Berlin',
      'Rue de l’Église 3/2',
      'ул. Тверская, 7',
      'شارع 12',
      '東京都 1-2',
    ])
      expect(fieldsOf(ok), ok).toEqual([]);
  });
});
