import { describe, expect, it } from 'vitest';
import { decodePageToken, encodePageToken } from './page-token.ts';

const forge = (body: unknown) => Buffer.from(JSON.stringify(body)).toString('base64url');

describe('ListMerchants page tokens', () => {
  it('round-trips a position for the query it was made for', () => {
    const token = encodePageToken({ distanceM: 120.5, id: 'm-7' }, 'q1');
    expect(decodePageToken(token, 'q1')).toEqual({ distanceM: 120.5, id: 'm-7' });
    expect(decodePageToken(token, 'q2')).toBe('invalid');
    expect(decodePageToken('', 'q1')).toBeUndefined();
  });

  it('refuses forged tokens whose id is not a merchant id or whose distance is impossible', () => {
    expect(decodePageToken(forge({ d: 1, i: '\u0000', q: 'q' }), 'q')).toBe('invalid');
    expect(decodePageToken(forge({ d: 1, i: 'x'.repeat(500), q: 'q' }), 'q')).toBe('invalid');
    expect(decodePageToken(forge({ d: 1, i: "m'; --", q: 'q' }), 'q')).toBe('invalid');
    expect(decodePageToken(forge({ d: -5, i: 'm1', q: 'q' }), 'q')).toBe('invalid');
    expect(decodePageToken(forge({ d: 1, i: 7, q: 'q' }), 'q')).toBe('invalid');
    expect(decodePageToken(forge([1, 2]), 'q')).toBe('invalid');
    expect(decodePageToken('%%%', 'q')).toBe('invalid');
  });
});
