import type { Redis } from 'ioredis';
import type { ZoneLeases } from '../app/ports.ts';

/** Extends the lease only while it still carries our token (compare-and-pexpire). */
const RENEW = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0`;

/** Deletes the lease only while it still carries our token: never someone else's. */
const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

/**
 * Live replicas by Redis' own clock (no skew between replicas): refresh our score, forget members
 * silent for longer than the lease TTL, count the rest. KEYS: replicas. ARGV: replica id, TTL ms.
 */
const HEARTBEAT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZADD', KEYS[1], now, ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - tonumber(ARGV[2]))
return redis.call('ZCARD', KEYS[1])`;

export interface LeaseKeys {
  lease(zone: string): string;
  readonly replicas: string;
}

export const leaseKeys = (prefix = 'dispatch'): LeaseKeys => ({
  lease: (zone) => `${prefix}:lease:${zone}`,
  replicas: `${prefix}:replicas`,
});

/**
 * Zone leases in Redis: SET NX PX to acquire, Lua compare-and-pexpire to renew and
 * compare-and-delete to release, and a heartbeat sorted set of live replicas for the fair share.
 * A dead replica's leases simply expire (LEASE_TTL_MS) and its heartbeat ages out with them.
 */
export function createRedisZoneLeases(redis: Redis, ttlMs: number, keys = leaseKeys()): ZoneLeases {
  return {
    async heartbeat(replicaId) {
      return Number(await redis.eval(HEARTBEAT, 1, keys.replicas, replicaId, ttlMs));
    },
    async acquire(zone, token) {
      return (await redis.set(keys.lease(zone), token, 'PX', ttlMs, 'NX')) === 'OK';
    },
    async renew(leases) {
      if (leases.length === 0) return [];
      const pipe = redis.pipeline();
      for (const l of leases) pipe.eval(RENEW, 1, keys.lease(l.zone), l.token, ttlMs);
      const results = (await pipe.exec()) ?? [];
      return leases.map((_, i) => {
        const [error, value] = results[i] ?? [new Error('no reply'), 0];
        if (error) throw error;
        return Number(value) === 1;
      });
    },
    async release(zone, token) {
      await redis.eval(RELEASE, 1, keys.lease(zone), token);
    },
    async leave(replicaId) {
      await redis.zrem(keys.replicas, replicaId);
    },
  };
}
