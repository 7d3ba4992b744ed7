import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { greatCircleMetres } from './projection.ts';
import { createZoneGrid } from './zone-grid.ts';

describe('zone grid', () => {
  const grid = createZoneGrid(3_000);

  it('gives nearby points one zone and points a cell apart different zones', () => {
    const z = grid.zoneOf({ lat: 31.2301, lng: 121.4701 });
    expect(z).toMatch(/^z3000:-?\d+:-?\d+$/);
    expect(grid.zoneOf({ lat: 31.2302, lng: 121.4702 })).toBe(z);
    expect(grid.zoneOf({ lat: 31.2301 + 0.03, lng: 121.4701 })).not.toBe(z);
  });

  it('contains every point within the cover radius of its zone centre, at any latitude', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -70, max: 70, noNaN: true }),
        fc.double({ min: -179.9, max: 179.9, noNaN: true }),
        fc.integer({ min: 500, max: 10_000 }),
        (lat, lng, size) => {
          const g = createZoneGrid(size);
          const centre = g.centreOf(g.zoneOf({ lat, lng }))!;
          expect(g.zoneOf(centre)).toBe(g.zoneOf({ lat, lng }));
          // Cells are square in metres, up to the difference in cos(lat) across one row.
          expect(greatCircleMetres(centre, { lat, lng })).toBeLessThanOrEqual(g.coverRadiusM * 1.01);
        },
      ),
    );
  });

  it('reads the centre of ids made with another size, and rejects anything else', () => {
    const other = createZoneGrid(1_000);
    const zone = other.zoneOf({ lat: 48.85, lng: 2.35 });
    expect(grid.centreOf(zone)).toEqual(other.centreOf(zone));
    expect(grid.centreOf('nonsense')).toBeUndefined();
    expect(grid.centreOf('z10:1:1')).toBeUndefined();
  });

  it('refuses sizes that make no sense', () => {
    expect(() => createZoneGrid(0)).toThrow();
    expect(() => createZoneGrid(12.5)).toThrow();
  });
});
