import type { NearbyRider, PingOutcome, PositionPing, RiderPosition } from '@mealpeak/rider-positions';
import type { Clock, Ids, Positions, ZoneLeases } from '../src/app/ports.ts';
import { greatCircleMetres, type LatLng } from '../src/domain/geo/projection.ts';

export { MemoryDispatchStore } from './memory-store.ts';

export class ManualClock implements Clock {
  current: Date;
  constructor(start = new Date('2026-11-20T12:00:00Z')) {
    this.current = start;
  }
  now(): Date {
    return this.current;
  }
  advance(ms: number): void {
    this.current = new Date(this.current.getTime() + ms);
  }
}

export function sequentialIds(prefix = '00000000-0000-7000-8000-'): Ids {
  let n = 0;
  return { newId: () => `${prefix}${String(++n).padStart(12, '0')}` };
}

/** Positions in memory with the library's contract (newer fixes win, silent riders vanish). */
export class MemoryPositions implements Positions {
  readonly fixes = new Map<string, { lat: number; lng: number; recordedAt: number }>();
  private readonly clock: Clock;
  private readonly ttlMs: number;
  constructor(clock: Clock, ttlMs = 60_000) {
    this.clock = clock;
    this.ttlMs = ttlMs;
  }

  place(riderId: string, at: LatLng, recordedAt = this.clock.now().getTime()): void {
    this.fixes.set(riderId, { ...at, recordedAt });
  }
  private fresh(riderId: string): RiderPosition | undefined {
    const f = this.fixes.get(riderId);
    const now = this.clock.now().getTime();
    if (!f || f.recordedAt < now - this.ttlMs) return undefined;
    return { riderId, ...f, ageMs: now - f.recordedAt };
  }
  nearby = async (point: LatLng, radiusM: number, limit: number): Promise<NearbyRider[]> =>
    [...this.fixes.keys()]
      .flatMap((id) => {
        const p = this.fresh(id);
        return p ? [{ ...p, distanceM: greatCircleMetres(point, p) }] : [];
      })
      .filter((r) => r.distanceM <= radiusM)
      .sort((a, b) => a.distanceM - b.distanceM)
      .slice(0, limit);
  /** Reads reject while `down` (Redis unreachable). */
  down = false;
  get = async (riderId: string): Promise<RiderPosition | undefined> => {
    if (this.down) throw new Error('positions unavailable');
    return this.fresh(riderId);
  };
  getMany = async (riderIds: readonly string[]): Promise<Map<string, RiderPosition>> => {
    if (this.down) throw new Error('positions unavailable');
    const found = new Map<string, RiderPosition>();
    for (const id of riderIds) {
      const p = this.fresh(id);
      if (p) found.set(id, p);
    }
    return found;
  };
  write = async (ping: PositionPing): Promise<PingOutcome> => {
    const prev = this.fixes.get(ping.riderId);
    if (prev && prev.recordedAt >= ping.recordedAt) return { status: 'dropped_out_of_order' };
    this.place(ping.riderId, ping, ping.recordedAt);
    return { status: 'accepted' };
  };
  remove = async (riderId: string): Promise<void> => void this.fixes.delete(riderId);
}

/** Redis leases in memory, on a manual millisecond clock shared by every "replica". */
export class MemoryLeases implements ZoneLeases {
  readonly leases = new Map<string, { token: string; expiresAt: number }>();
  readonly beats = new Map<string, number>();
  now = 0;
  readonly ttlMs: number;
  constructor(ttlMs: number) {
    this.ttlMs = ttlMs;
  }

  holder(zone: string): string | undefined {
    const l = this.leases.get(zone);
    return l && l.expiresAt > this.now ? l.token.split(':')[0] : undefined;
  }
  async heartbeat(replicaId: string): Promise<number> {
    this.beats.set(replicaId, this.now);
    return [...this.beats.values()].filter((t) => t > this.now - this.ttlMs).length;
  }
  async acquire(zone: string, token: string): Promise<boolean> {
    if (this.holder(zone)) return false;
    this.leases.set(zone, { token, expiresAt: this.now + this.ttlMs });
    return true;
  }
  async renew(leases: readonly { zone: string; token: string }[]): Promise<boolean[]> {
    return leases.map(({ zone, token }) => {
      const l = this.leases.get(zone);
      if (!l || l.token !== token || l.expiresAt <= this.now) return false;
      l.expiresAt = this.now + this.ttlMs;
      return true;
    });
  }
  async release(zone: string, token: string): Promise<void> {
    if (this.leases.get(zone)?.token === token) this.leases.delete(zone);
  }
  async leave(replicaId: string): Promise<void> {
    this.beats.delete(replicaId);
  }
}
