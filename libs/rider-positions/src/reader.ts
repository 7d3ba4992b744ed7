import type { Redis } from 'ioredis';
import { positionKeys } from './keys.ts';
import { createScriptRunner } from '@mealpeak/redis';
import { GET_MANY, NEARBY } from './scripts.ts';
import {
  DEFAULT_TTL_MS,
  type LatLng,
  type NearbyRider,
  type PositionIndexOptions,
  type RiderPosition,
} from './types.ts';

export interface PositionReader {
  /** Fresh riders within radiusM of point, nearest first, at most `limit`. */
  readonly nearby: (point: LatLng, radiusM: number, limit: number) => Promise<NearbyRider[]>;
  /** The rider's latest fresh position, or undefined when unknown or silent for longer than the TTL. */
  readonly get: (riderId: string) => Promise<RiderPosition | undefined>;
  /** Fresh positions of the riders that have one. */
  readonly getMany: (riderIds: readonly string[]) => Promise<Map<string, RiderPosition>>;
}

/**
 * The read side. Every read filters by age (recordedAt >= now - TTL) in the same Lua call that
 * reads, so a rider who went silent disappears at once even before the janitor (`purgeSilent`)
 * has removed them from the GEO set. Rejects when Redis is unreachable.
 */
export function createPositionReader(redis: Redis, options: PositionIndexOptions = {}): PositionReader {
  const keys = positionKeys(options.namespace);
  const ttlMs = options.ttlMs ?? DEFAULT_TTL_MS;
  const now = options.now ?? Date.now;
  const nearbyScript = createScriptRunner(redis, NEARBY);
  const getScript = createScriptRunner(redis, GET_MANY);

  async function getMany(riderIds: readonly string[]): Promise<Map<string, RiderPosition>> {
    const found = new Map<string, RiderPosition>();
    if (riderIds.length === 0) return found;
    const at = now();
    const flat = (await getScript.one({
      keys: [keys.geo, keys.seen],
      args: [at - ttlMs, ...riderIds],
    })) as (string | null)[];
    riderIds.forEach((riderId, i) => {
      const [ts, lng, lat] = [flat[3 * i], flat[3 * i + 1], flat[3 * i + 2]];
      if (!ts || !lng || !lat) return;
      const recordedAt = Number(ts);
      found.set(riderId, { riderId, lat: Number(lat), lng: Number(lng), recordedAt, ageMs: at - recordedAt });
    });
    return found;
  }

  return {
    async nearby(point, radiusM, limit) {
      if (limit <= 0 || !(radiusM > 0)) return [];
      const at = now();
      const flat = (await nearbyScript.one({
        keys: [keys.geo, keys.seen],
        args: [point.lng, point.lat, radiusM, Math.floor(limit), at - ttlMs],
      })) as string[];
      const riders: NearbyRider[] = [];
      for (let i = 0; i + 4 < flat.length; i += 5) {
        const recordedAt = Number(flat[i + 4]);
        riders.push({
          riderId: flat[i]!,
          distanceM: Number(flat[i + 1]),
          lng: Number(flat[i + 2]),
          lat: Number(flat[i + 3]),
          recordedAt,
          ageMs: at - recordedAt,
        });
      }
      return riders;
    },
    async get(riderId) {
      return (await getMany([riderId])).get(riderId);
    },
    getMany,
  };
}
