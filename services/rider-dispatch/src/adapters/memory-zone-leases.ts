import type { ZoneLeases } from '../app/ports.ts';

/**
 * Zone leases for the single-process local run, where one dispatch replica is all there is: the
 * same contract as the Redis leases (tokens, expiry, renew only your own), held in a Map.
 */
export function createMemoryZoneLeases(ttlMs: number, now: () => number = Date.now): ZoneLeases {
  const leases = new Map<string, { token: string; until: number }>();
  const replicas = new Map<string, number>();
  const held = (zone: string) => {
    const l = leases.get(zone);
    return l && l.until > now() ? l : undefined;
  };
  return {
    heartbeat: async (replicaId) => {
      replicas.set(replicaId, now());
      for (const [id, at] of replicas) if (now() - at > ttlMs) replicas.delete(id);
      return replicas.size;
    },
    acquire: async (zone, token) => {
      if (held(zone)) return false;
      leases.set(zone, { token, until: now() + ttlMs });
      return true;
    },
    renew: async (list) =>
      list.map(({ zone, token }) => {
        const l = held(zone);
        if (!l || l.token !== token) return false;
        l.until = now() + ttlMs;
        return true;
      }),
    release: async (zone, token) => {
      if (leases.get(zone)?.token === token) leases.delete(zone);
    },
    leave: async (replicaId) => void replicas.delete(replicaId),
  };
}
