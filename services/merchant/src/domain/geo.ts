import { EARTH_RADIUS_M } from '@mealpeak/core';
import { field, type FieldError } from './errors.ts';
import type { GeoPoint } from './types.ts';

/** The SQL distance (pg-merchants.ts) uses the same radius. */
export { EARTH_RADIUS_M };
const METERS_PER_DEGREE_LAT = (Math.PI * EARTH_RADIUS_M) / 180;

const rad = (deg: number) => (deg * Math.PI) / 180;

/** Great-circle distance (haversine), the platform's one definition. */
export { greatCircleMetres as distanceMeters } from '@mealpeak/core';

export interface BoundingBox {
  readonly minLat: number;
  readonly maxLat: number;
  /** Undefined when the box reaches a pole or crosses the antimeridian: filter on latitude only. */
  readonly lng?: { readonly min: number; readonly max: number };
}

/**
 * A box containing every point within `radiusM` of `center`: the cheap, index-friendly prefilter
 * before the exact distance. The longitude span is taken at the box's edge nearest the pole, where
 * a degree of longitude is shortest, so the box never cuts the circle.
 */
export function boundingBox(center: GeoPoint, radiusM: number): BoundingBox {
  // A metre of slack: a point exactly on the circle must not fall out of the box by a rounding
  // error; the exact distance filter runs afterwards anyway.
  const dLat = (radiusM + 1) / METERS_PER_DEGREE_LAT;
  const minLat = center.lat - dLat;
  const maxLat = center.lat + dLat;
  if (minLat <= -90 || maxLat >= 90) return { minLat: Math.max(minLat, -90), maxLat: Math.min(maxLat, 90) };
  const widestLat = Math.max(Math.abs(minLat), Math.abs(maxLat));
  const dLng = dLat / Math.cos(rad(widestLat));
  const min = center.lng - dLng;
  const max = center.lng + dLng;
  if (min < -180 || max > 180) return { minLat, maxLat };
  return { minLat, maxLat, lng: { min, max } };
}

export function validatePoint(point: GeoPoint | undefined, name: string): FieldError[] {
  if (!point) return [field(name, 'is required')];
  const problems: FieldError[] = [];
  if (!Number.isFinite(point.lat) || point.lat < -90 || point.lat > 90)
    problems.push(field(`${name}.lat`, 'must be between -90 and 90'));
  if (!Number.isFinite(point.lng) || point.lng < -180 || point.lng > 180)
    problems.push(field(`${name}.lng`, 'must be between -180 and 180'));
  return problems;
}
