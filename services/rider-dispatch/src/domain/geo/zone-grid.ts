import { METRES_PER_DEGREE, type LatLng } from './projection.ts';

export interface ZoneGrid {
  readonly sizeM: number;
  /** The zone (grid cell) a point lies in. */
  zoneOf(p: LatLng): string;
  /** Centre of a zone id this grid (or a grid of another size) produced; undefined for garbage. */
  centreOf(zone: string): LatLng | undefined;
  /** Radius around the centre that covers the whole cell (half its diagonal). */
  readonly coverRadiusM: number;
}

const ZONE_ID = /^z(\d+):(-?\d+):(-?\d+)$/;

/**
 * Square cells of about sizeM x sizeM over lat/lng. Rows are bands of equal latitude; each row
 * divides longitude by its own cell width (narrower degrees towards the poles), so cells stay square
 * in metres at every latitude. Ids carry the size (`z3000:<row>:<col>`): after a change of
 * ZONE_SIZE_M, orders already stored keep a zone whose centre can still be computed.
 */
export function createZoneGrid(sizeM: number): ZoneGrid {
  if (!(Number.isInteger(sizeM) && sizeM >= 100)) throw new Error(`zone size must be >= 100 m, got ${sizeM}`);
  return {
    sizeM,
    coverRadiusM: (sizeM * Math.SQRT2) / 2,
    zoneOf(p) {
      const { latStep, row } = rowOf(sizeM, p.lat);
      const col = Math.floor(p.lng / lngStep(sizeM, (row + 0.5) * latStep));
      return `z${sizeM}:${row}:${col}`;
    },
    centreOf(zone) {
      const m = ZONE_ID.exec(zone);
      if (!m) return undefined;
      const [size, row, col] = [Number(m[1]), Number(m[2]), Number(m[3])];
      if (size < 100) return undefined;
      const lat = (row + 0.5) * (size / METRES_PER_DEGREE);
      return { lat, lng: (col + 0.5) * lngStep(size, lat) };
    },
  };
}

function rowOf(sizeM: number, lat: number): { latStep: number; row: number } {
  const latStep = sizeM / METRES_PER_DEGREE;
  return { latStep, row: Math.floor(lat / latStep) };
}

function lngStep(sizeM: number, rowCentreLat: number): number {
  // Clamp near the poles so the width stays finite (no rider works there; the grid must not break).
  const cos = Math.max(Math.cos((rowCentreLat * Math.PI) / 180), 1e-6);
  return sizeM / (METRES_PER_DEGREE * cos);
}
