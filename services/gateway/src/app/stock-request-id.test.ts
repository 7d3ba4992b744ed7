import { describe, expect, it } from 'vitest';
import { stockRequestIdFor } from './stock-request-id.ts';

describe('stockRequestIdFor', () => {
  it('is stable for one merchant, item and key, and differs when any of them does', () => {
    const id = stockRequestIdFor('m-1', 'i-1', 'k');
    expect(stockRequestIdFor('m-1', 'i-1', 'k')).toBe(id);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    for (const other of [
      stockRequestIdFor('m-2', 'i-1', 'k'),
      stockRequestIdFor('m-1', 'i-2', 'k'),
      stockRequestIdFor('m-1', 'i-1', 'k2'),
      // No separator trick joins two different triples.
      stockRequestIdFor('m-1', 'i-1:k', ''),
      stockRequestIdFor('m-1:i-1', 'k', ''),
    ])
      expect(other).not.toBe(id);
  });
});
