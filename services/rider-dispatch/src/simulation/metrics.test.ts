import { describe, expect, it } from 'vitest';
import { summarize } from './metrics.ts';

describe('summarize', () => {
  it('interpolates percentiles between order statistics', () => {
    expect(summarize([40, 10, 30, 20])).toEqual({
      mean: 25,
      std: Math.sqrt(125),
      min: 10,
      p10: 13,
      p50: 25,
      p90: 37,
      max: 40,
    });
  });

  it('is all zeros for no values', () => {
    expect(summarize([]).mean).toBe(0);
  });
});
