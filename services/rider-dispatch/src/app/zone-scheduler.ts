import type { Logger } from '@mealpeak/telemetry';
import { planLeases, shuffleWith } from './lease-plan.ts';
import type { DispatchStore, Ids, ZoneLeases } from './ports.ts';
import type { RoundReport } from './rounds.ts';

export interface ZoneSchedulerDeps {
  readonly leases: ZoneLeases;
  readonly store: Pick<DispatchStore, 'activeZones'>;
  readonly runRound: (zone: string) => Promise<RoundReport>;
  readonly replicaId: string;
  readonly leaseTtlMs: number;
  readonly ids: Ids;
  readonly random: () => number;
  /** Monotonic milliseconds (performance.now): lease validity must not follow wall-clock jumps. */
  readonly monotonic: () => number;
  readonly logger: Logger;
  readonly onRound?: (report: RoundReport, ms: number) => void;
}

/** Zones considered per lease tick; far more than one city has. */
const MAX_ACTIVE_ZONES = 10_000;

/**
 * Which zones this replica runs. `leaseTick` (every ~TTL/3) heartbeats, renews what it holds
 * (dropping what it lost), gives back idle and excess zones and acquires up to its fair share;
 * `roundTick` runs one round per held zone whose lease is still surely valid by the local clock.
 * Leases only keep replicas from duplicating work; double assignment is prevented by the claim.
 */
export function createZoneScheduler(deps: ZoneSchedulerDeps) {
  const { leases, replicaId, leaseTtlMs, logger } = deps;
  // Stop using a lease a little before Redis would expire it: renewals and clocks are not instant.
  const safeTtl = leaseTtlMs - Math.max(100, leaseTtlMs / 10);
  const held = new Map<string, { token: string; validUntil: number }>();
  // Set at shutdown: a round tick runs every held zone in turn (seconds with many zones), and
  // the shutdown budget must not wait for all of them before the leases go back.
  let stopping = false;
  const shuffle = shuffleWith(deps.random);

  async function renew(): Promise<void> {
    const entries = [...held];
    if (entries.length === 0) return;
    const started = deps.monotonic();
    const kept = await leases.renew(entries.map(([zone, l]) => ({ zone, token: l.token })));
    entries.forEach(([zone, lease], i) => {
      if (kept[i]) lease.validUntil = started + safeTtl;
      else {
        held.delete(zone);
        logger.warn({ zone }, 'zone lease lost; another replica runs it now');
      }
    });
  }

  async function release(zone: string): Promise<void> {
    const lease = held.get(zone);
    held.delete(zone);
    if (lease) await leases.release(zone, lease.token);
  }

  return {
    held: (): string[] => [...held.keys()].sort(),

    async leaseTick(): Promise<void> {
      if (stopping) return;
      const live = await leases.heartbeat(replicaId);
      try {
        await renew();
      } catch (error) {
        // Cannot tell whether we still hold anything: stop running every zone until Redis answers.
        held.clear();
        throw error;
      }
      const active = await deps.store.activeZones(MAX_ACTIVE_ZONES);
      const plan = planLeases({ held: [...held.keys()], active, liveReplicas: live }, shuffle);
      for (const zone of plan.release) await release(zone);
      let want = plan.want;
      for (const zone of plan.candidates) {
        if (want <= 0 || stopping) break;
        const token = `${replicaId}:${deps.ids.newId()}`;
        const started = deps.monotonic();
        if (await leases.acquire(zone, token)) {
          held.set(zone, { token, validUntil: started + safeTtl });
          want--;
          logger.info({ zone }, 'zone lease acquired');
        }
      }
    },

    async roundTick(): Promise<void> {
      for (const [zone, lease] of [...held].sort(([a], [b]) => (a < b ? -1 : 1))) {
        if (stopping) return;
        if (deps.monotonic() >= lease.validUntil || !held.has(zone)) continue;
        const started = deps.monotonic();
        try {
          const report = await deps.runRound(zone);
          deps.onRound?.(report, deps.monotonic() - started);
        } catch (error) {
          logger.warn({ err: error, zone }, 'dispatch round failed; the next round retries');
        }
      }
    },

    /**
     * No new zone round and no new lease from now on; the round in hand finishes (one zone), so
     * a running tick ends within one round instead of after every held zone.
     */
    stop(): void {
      stopping = true;
    },

    /** Gives every lease back and leaves the live set: another replica takes the zones at once. */
    async releaseAll(): Promise<void> {
      await Promise.all([...held.keys()].map((zone) => release(zone)));
      await leases.leave(replicaId);
    },
  };
}
