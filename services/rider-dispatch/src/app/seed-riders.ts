import type { CodedError, Result } from '@mealpeak/core';
import { createLocalProjection, type LatLng } from '../domain/geo/projection.ts';

/** Berlin Mitte: the merchant service's demo city (services/merchant/src/app/seed.ts). */
export const DEMO_CITY_CENTRE: LatLng = { lat: 52.52, lng: 13.405 };

export interface DemoRider {
  readonly riderId: string;
  readonly position: LatLng;
  readonly shiftEndsAt: Date;
}

export interface DemoRiderSpec {
  readonly count: number;
  readonly centre: LatLng;
  readonly radiusM: number;
  /** Shifts end between half and all of this from now, so they do not all end at once. */
  readonly shiftMinutes: number;
  readonly idPrefix: string;
  readonly now: Date;
  readonly random: () => number;
}

/** N riders spread evenly over a disc around the centre (ids `<prefix>-0001`...), stable ids. */
export function demoRiders(spec: DemoRiderSpec): DemoRider[] {
  const projection = createLocalProjection(spec.centre);
  return Array.from({ length: spec.count }, (_, i) => {
    // sqrt keeps the density even over the disc instead of crowding the centre.
    const r = spec.radiusM * Math.sqrt(spec.random());
    const angle = 2 * Math.PI * spec.random();
    const minutes = spec.shiftMinutes * (0.5 + 0.5 * spec.random());
    return {
      riderId: `${spec.idPrefix}-${String(i + 1).padStart(4, '0')}`,
      position: projection.toLatLng({ x: r * Math.cos(angle), y: r * Math.sin(angle) }),
      shiftEndsAt: new Date(spec.now.getTime() + minutes * 60_000),
    };
  });
}

/** A rider drifting a little (at most `metres`), for keep-alive pings that look like real ones. */
export function drift(position: LatLng, metres: number, random: () => number): LatLng {
  const projection = createLocalProjection(position);
  return projection.toLatLng({ x: (random() * 2 - 1) * metres, y: (random() * 2 - 1) * metres });
}

export type GoOnline = (rider: DemoRider) => Promise<Result<unknown, CodedError>>;

/** Puts the riders online a few at a time; returns how many made it and why the others did not. */
export async function seedRiders(
  riders: readonly DemoRider[],
  goOnline: GoOnline,
  concurrency = 16,
): Promise<{ online: number; failed: { riderId: string; error: CodedError }[] }> {
  const failed: { riderId: string; error: CodedError }[] = [];
  for (let i = 0; i < riders.length; i += concurrency) {
    const batch = riders.slice(i, i + concurrency);
    const results = await Promise.all(batch.map((r) => goOnline(r)));
    results.forEach((res, j) => {
      if (!res.ok) failed.push({ riderId: batch[j]!.riderId, error: res.error });
    });
  }
  return { online: riders.length - failed.length, failed };
}
