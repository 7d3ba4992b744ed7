import { greatCircleMetres } from '@mealpeak/core';
import {
  DEFAULT_TTL_MS,
  type NearbyRider,
  type PingOutcome,
  type PositionPing,
  type RiderPosition,
} from './types.ts';
import { checkPing, notAfter, supersedes } from './validate.ts';
import { DEFAULT_PLAUSIBILITY, land, type Suspect } from './domain/plausibility.ts';
import type { PositionReader } from './reader.ts';
import type { PositionWriter, PositionWriterOptions } from './writer.ts';

/**
 * Both sides of the position index in one process, for the zero-setup local run only (the gateway
 * writes, dispatch reads, both in the same process). Same validation, same drops of stale and
 * out-of-order fixes, same plausibility check (domain/plausibility.ts, which APPLY_PING mirrors),
 * same expiry after silence as the Redis index; a linear scan instead of GEO.
 */
export function createMemoryPositions(options: PositionWriterOptions = {}): {
  writer: PositionWriter;
  reader: PositionReader;
} {
  const ttlMs = options.ttlMs ?? DEFAULT_TTL_MS;
  const limits = { maxAgeMs: options.maxAgeMs ?? ttlMs, maxFutureMs: options.maxFutureMs ?? 30_000 };
  const now = options.now ?? Date.now;
  const check = options.check ?? 'off';
  const rule = options.plausibility ?? DEFAULT_PLAUSIBILITY;
  const latest = new Map<string, PositionPing>();
  const suspects = new Map<string, Suspect>();
  const fresh = (p: PositionPing, at: number) => at - p.recordedAt <= ttlMs;
  const view = (p: PositionPing, at: number): RiderPosition => ({
    riderId: p.riderId,
    lat: p.lat,
    lng: p.lng,
    recordedAt: p.recordedAt,
    ageMs: at - p.recordedAt,
  });

  const writer: PositionWriter = {
    write: async (given): Promise<PingOutcome> => {
      const at = now();
      const refused = checkPing(given, at, limits);
      if (refused) return refused;
      const { ping, clamped } = notAfter(given, at);
      const last = latest.get(ping.riderId);
      if (!supersedes(last?.recordedAt, ping.recordedAt, clamped)) return { status: 'dropped_out_of_order' };
      const fix = { lat: ping.lat, lng: ping.lng, recordedAt: ping.recordedAt };
      const landed = land({ last, suspect: suspects.get(ping.riderId) }, fix, check, rule);
      if (landed.track.suspect) suspects.set(ping.riderId, landed.track.suspect);
      else suspects.delete(ping.riderId);
      switch (landed.landing) {
        case 'dropped':
          return { status: 'dropped_implausible' };
        case 'accepted':
        case 'flagged':
        case 'relocated':
          latest.set(ping.riderId, { riderId: ping.riderId, ...fix });
          return landed.landing === 'accepted'
            ? { status: 'accepted' }
            : { status: 'accepted', jump: landed.landing };
      }
    },
    remove: async (riderId) => {
      latest.delete(riderId);
      suspects.delete(riderId);
    },
    purgeSilent: async (limit = 1_000) => {
      const at = now();
      let removed = 0;
      for (const [id, p] of latest) {
        if (removed >= limit) break;
        if (!fresh(p, at)) {
          latest.delete(id);
          suspects.delete(id);
          removed++;
        }
      }
      return removed;
    },
    close: async () => undefined,
  };

  const reader: PositionReader = {
    nearby: async (point, radiusM, limit): Promise<NearbyRider[]> => {
      const at = now();
      return [...latest.values()]
        .filter((p) => fresh(p, at))
        .map((p) => ({ ...view(p, at), distanceM: greatCircleMetres(point, p) }))
        .filter((r) => r.distanceM <= radiusM)
        .sort((a, b) => a.distanceM - b.distanceM || a.riderId.localeCompare(b.riderId))
        .slice(0, limit);
    },
    get: async (riderId) => {
      const p = latest.get(riderId);
      const at = now();
      return p && fresh(p, at) ? view(p, at) : undefined;
    },
    getMany: async (riderIds) => {
      const at = now();
      const found = new Map<string, RiderPosition>();
      for (const id of riderIds) {
        const p = latest.get(id);
        if (p && fresh(p, at)) found.set(id, view(p, at));
      }
      return found;
    },
  };
  return { writer, reader };
}
