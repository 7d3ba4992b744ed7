import { describe, expect, it } from 'vitest';
import { estimatedEntropyBits, MIN_SECRET_BITS } from './secret-strength.ts';

describe('estimatedEntropyBits', () => {
  it.each([
    ['openssl rand -base64 48', 'vP3q9Zx0Lk7Rt2Wm8Yb4Nc6Hd1Fg5Js0Qa3Ue7Io9Ks2Tl4Xr6Bn8Vy1Mh5Gp0Wz3Ce'],
    ['openssl rand -hex 32', '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08'],
    ['40 distinct letters and digits', 'q3Zt8vYk1LxN0pRb7sWc4dUe9fGh2jKm5nPo6aBi'],
  ])('accepts %s', (_name, secret) => {
    expect(estimatedEntropyBits(secret)).toBeGreaterThanOrEqual(MIN_SECRET_BITS);
  });

  it.each([
    ['one character repeated', 'a'.repeat(64)],
    ['a 12-letter pattern repeated', 'abcdefghijklabcdefghijklabcdefgh'],
    ['two words', 'passwordpasswordpasswordpassword'],
    ['31 hex digits', '0123456789abcdef0123456789abcde'],
  ])('refuses %s', (_name, secret) => {
    expect(estimatedEntropyBits(secret)).toBeLessThan(MIN_SECRET_BITS);
  });
});
