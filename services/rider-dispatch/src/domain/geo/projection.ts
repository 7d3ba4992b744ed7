import type { Point } from '../dispatch/index.ts';

/** WGS84 decimal degrees. */
export interface LatLng {
  readonly lat: number;
  readonly lng: number;
}

/** Mean Earth radius (IUGG), metres. */
const EARTH_RADIUS_M = 6_371_008.8;
const RAD = Math.PI / 180;
/** Metres per degree of latitude on the mean sphere (~111.2 km). */
export const METRES_PER_DEGREE = EARTH_RADIUS_M * RAD;

export interface LocalProjection {
  readonly origin: LatLng;
  toPoint(p: LatLng): Point;
  toLatLng(p: Point): LatLng;
}

/**
 * Equirectangular projection around `origin`: x east, y north, in metres. The engine works on a
 * plane (docs/dispatch.md); within a zone and its rider radius (a few km) the error against the
 * great-circle distance stays below 0.1%, far under what a straight-line travel model ignores.
 */
export function createLocalProjection(origin: LatLng): LocalProjection {
  const metresPerDegreeLng = METRES_PER_DEGREE * Math.cos(origin.lat * RAD);
  return {
    origin,
    toPoint: (p) => ({
      x: (p.lng - origin.lng) * metresPerDegreeLng,
      y: (p.lat - origin.lat) * METRES_PER_DEGREE,
    }),
    toLatLng: (p) => ({
      lat: origin.lat + p.y / METRES_PER_DEGREE,
      lng: origin.lng + p.x / metresPerDegreeLng,
    }),
  };
}

/** Great-circle distance in metres (haversine). */
export function greatCircleMetres(a: LatLng, b: LatLng): number {
  const dLat = (b.lat - a.lat) * RAD;
  const dLng = (b.lng - a.lng) * RAD;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * RAD) * Math.cos(b.lat * RAD) * Math.sin(dLng / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(h)));
}
