import { describe, expect, it } from 'vitest';
import { canonicalJson } from './canonical-json.ts';

describe('canonicalJson', () => {
  it('is the same for bodies that differ only in key order, at any depth', () => {
    const a = { merchantId: 'm', lines: [{ itemId: 'i', quantity: 1 }], dropoff: { lat: 1, lng: 2 } };
    const b = { dropoff: { lng: 2, lat: 1 }, lines: [{ quantity: 1, itemId: 'i' }], merchantId: 'm' };
    expect(canonicalJson(a)).toBe(canonicalJson(b));
  });

  it('keeps array order and value differences', () => {
    expect(canonicalJson({ l: [1, 2] })).not.toBe(canonicalJson({ l: [2, 1] }));
    expect(canonicalJson({ q: 1 })).not.toBe(canonicalJson({ q: '1' }));
    expect(canonicalJson(null)).toBe('null');
  });
});
