import { describe, expect, it } from 'vitest';
import { greatCircleMetres } from './geo.ts';

describe('greatCircleMetres', () => {
  it('measures known distances, symmetric, zero for the same point', () => {
    const alexanderplatz = { lat: 52.5219, lng: 13.4132 };
    const brandenburgerTor = { lat: 52.5163, lng: 13.3777 };
    const d = greatCircleMetres(alexanderplatz, brandenburgerTor);
    expect(d).toBeGreaterThan(2_400);
    expect(d).toBeLessThan(2_500);
    expect(greatCircleMetres(brandenburgerTor, alexanderplatz)).toBeCloseTo(d, 6);
    expect(greatCircleMetres(alexanderplatz, alexanderplatz)).toBe(0);
  });

  it('stays finite for antipodal points (half the circumference)', () => {
    const d = greatCircleMetres({ lat: 0, lng: 0 }, { lat: 0, lng: 180 });
    expect(d).toBeCloseTo(Math.PI * 6_371_008.8, 0);
  });
});
