import { EARTH_RADIUS_M, type LatLng } from '@mealpeak/core';
import type { Point } from '../dispatch/index.ts';

/** The platform's one great-circle distance, for the dispatch modules that import it from here. */
export { greatCircleMetres, type LatLng } from '@mealpeak/core';
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
