import { describe, expect, it } from 'vitest';
import { isUuid } from './ids.ts';

describe('isUuid', () => {
  it('accepts the text form in either case, nothing else', () => {
    expect(isUuid('0190f3c1-0000-7000-8000-00000000abcd')).toBe(true);
    expect(isUuid('0190F3C1-0000-7000-8000-00000000ABCD')).toBe(true);
    for (const bad of ['', 'o1', '0190f3c1-0000-7000-8000-00000000abc', '0190f3c1000070008000000000000abcd'])
      expect(isUuid(bad)).toBe(false);
  });
});
