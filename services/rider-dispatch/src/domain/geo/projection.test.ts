import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createLocalProjection, greatCircleMetres, METRES_PER_DEGREE } from './projection.ts';

const shanghai = { lat: 31.23, lng: 121.47 };

describe('local projection', () => {
  it('puts the origin at 0,0 with x east and y north, in metres', () => {
    const p = createLocalProjection(shanghai);
    expect(p.toPoint(shanghai)).toEqual({ x: 0, y: 0 });
    const north = p.toPoint({ lat: shanghai.lat + 1000 / METRES_PER_DEGREE, lng: shanghai.lng });
    expect(north.x).toBeCloseTo(0, 9);
    expect(north.y).toBeCloseTo(1000, 6);
    expect(p.toPoint({ lat: shanghai.lat, lng: shanghai.lng + 0.01 }).x).toBeGreaterThan(900);
  });

  it('round-trips and keeps distances within 0.1% of the great circle inside 10 km', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -60, max: 60, noNaN: true }),
        fc.double({ min: -179, max: 179, noNaN: true }),
        fc.double({ min: -0.06, max: 0.06, noNaN: true }),
        fc.double({ min: -0.06, max: 0.06, noNaN: true }),
        (lat, lng, dLat, dLng) => {
          const origin = { lat, lng };
          const p = createLocalProjection(origin);
          const there = { lat: lat + dLat, lng: lng + dLng * Math.cos((lat * Math.PI) / 180) };
          const back = p.toLatLng(p.toPoint(there));
          expect(back.lat).toBeCloseTo(there.lat, 9);
          expect(back.lng).toBeCloseTo(there.lng, 9);
          const { x, y } = p.toPoint(there);
          const planar = Math.sqrt(x * x + y * y);
          const sphere = greatCircleMetres(origin, there);
          expect(Math.abs(planar - sphere)).toBeLessThanOrEqual(sphere * 0.001 + 0.01);
        },
      ),
    );
  });
});
