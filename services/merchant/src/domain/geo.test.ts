import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { boundingBox, distanceMeters, validatePoint } from './geo.ts';

describe('geo', () => {
  it('measures known distances', () => {
    const alexanderplatz = { lat: 52.5219, lng: 13.4132 };
    const brandenburgerTor = { lat: 52.5163, lng: 13.3777 };
    expect(distanceMeters(alexanderplatz, brandenburgerTor)).toBeGreaterThan(2_400);
    expect(distanceMeters(alexanderplatz, brandenburgerTor)).toBeLessThan(2_500);
    expect(distanceMeters(alexanderplatz, alexanderplatz)).toBe(0);
  });

  it('builds a box that contains every point within the radius (property)', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -80, max: 80, noNaN: true }),
        fc.double({ min: -179, max: 179, noNaN: true }),
        fc.integer({ min: 1, max: 50_000 }),
        fc.double({ min: 0, max: 2 * Math.PI, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (lat, lng, radius, bearing, fraction) => {
          const center = { lat, lng };
          // A point at `fraction` of the radius in direction `bearing` (small-distance approximation, then exact check).
          const d = (radius * fraction) / 6_371_008.8;
          const lat2 = Math.asin(
            Math.sin((lat * Math.PI) / 180) * Math.cos(d) +
              Math.cos((lat * Math.PI) / 180) * Math.sin(d) * Math.cos(bearing),
          );
          const lng2 =
            (lng * Math.PI) / 180 +
            Math.atan2(
              Math.sin(bearing) * Math.sin(d) * Math.cos((lat * Math.PI) / 180),
              Math.cos(d) - Math.sin((lat * Math.PI) / 180) * Math.sin(lat2),
            );
          const point = { lat: (lat2 * 180) / Math.PI, lng: (lng2 * 180) / Math.PI };
          if (distanceMeters(center, point) > radius) return;
          const box = boundingBox(center, radius);
          expect(point.lat).toBeGreaterThanOrEqual(box.minLat);
          expect(point.lat).toBeLessThanOrEqual(box.maxLat);
          if (box.lng) {
            expect(point.lng).toBeGreaterThanOrEqual(box.lng.min);
            expect(point.lng).toBeLessThanOrEqual(box.lng.max);
          }
        },
      ),
    );
  });

  it('drops the longitude filter at the antimeridian and the poles', () => {
    expect(boundingBox({ lat: 0, lng: 179.99 }, 5_000).lng).toBeUndefined();
    expect(boundingBox({ lat: 89.99, lng: 0 }, 5_000).lng).toBeUndefined();
    expect(boundingBox({ lat: 52.52, lng: 13.4 }, 5_000).lng).toBeDefined();
  });

  it('validates points', () => {
    expect(validatePoint(undefined, 'near')).toEqual([{ field: 'near', message: 'is required' }]);
    expect(validatePoint({ lat: 91, lng: -181 }, 'near').map((p) => p.field)).toEqual([
      'near.lat',
      'near.lng',
    ]);
    expect(validatePoint({ lat: 52.5, lng: 13.4 }, 'near')).toEqual([]);
  });
});
