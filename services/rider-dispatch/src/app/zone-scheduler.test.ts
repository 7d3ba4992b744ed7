import { describe, expect, it } from 'vitest';
import { MemoryLeases, sequentialIds } from '../../test/fakes.ts';
import { logger } from '../../test/world.ts';
import { createZoneScheduler } from './zone-scheduler.ts';

const TTL = 3_000;

function cluster(active: string[]) {
  const leases = new MemoryLeases(TTL);
  const rounds: string[] = [];
  const replica = (replicaId: string) =>
    createZoneScheduler({
      leases,
      store: { activeZones: async () => active },
      runRound: async (zone) => {
        rounds.push(`${replicaId}:${zone}`);
        return { zone, orders: 1, riders: 1, offers: 0, conflicts: 0 };
      },
      replicaId,
      leaseTtlMs: TTL,
      ids: sequentialIds(),
      random: () => 0.5,
      monotonic: () => leases.now,
      logger,
    });
  return { leases, rounds, replica };
}

describe('zone scheduler', () => {
  it('spreads zones over replicas: a newcomer gets its share once the first sheds its excess', async () => {
    const { leases, replica } = cluster(['z1', 'z2', 'z3', 'z4']);
    const a = replica('a');
    const b = replica('b');
    await a.leaseTick();
    expect(a.held()).toHaveLength(4);
    await b.leaseTick(); // everything taken; b is now counted alive
    expect(b.held()).toEqual([]);
    leases.now += 1_000;
    await a.leaseTick(); // fair share is now 2: gives two back
    await b.leaseTick();
    expect(a.held()).toHaveLength(2);
    expect(b.held()).toHaveLength(2);
    expect(new Set([...a.held(), ...b.held()]).size).toBe(4);
  });

  it('hands a dead replica’s zone to the survivor once the lease expires', async () => {
    const { leases, rounds, replica } = cluster(['z1']);
    const a = replica('a');
    const b = replica('b');
    await a.leaseTick();
    await b.leaseTick();
    expect(leases.holder('z1')).toBe('a');
    // a dies: no more ticks. b keeps ticking every TTL/3 and takes over once the lease runs out.
    let waited = 0;
    while (leases.holder('z1') !== 'b') {
      leases.now += TTL / 3;
      waited += TTL / 3;
      await b.leaseTick();
    }
    expect(waited).toBeLessThanOrEqual(TTL + TTL / 3);
    await b.roundTick();
    expect(rounds).toEqual(['b:z1']);
  });

  it('gives its leases back on shutdown, so the zone moves without waiting for the TTL', async () => {
    const { leases, replica } = cluster(['z1']);
    const a = replica('a');
    const b = replica('b');
    await a.leaseTick();
    await b.leaseTick();
    await a.releaseAll();
    await b.leaseTick();
    expect(leases.holder('z1')).toBe('b');
    expect(leases.beats.has('a')).toBe(false);
  });

  it('stops running a zone whose lease it could not renew', async () => {
    const { leases, rounds, replica } = cluster(['z1']);
    const a = replica('a');
    await a.leaseTick();
    leases.now += TTL + 1; // a stalled (GC pause, network) past its lease; b took the zone
    expect(await leases.acquire('z1', 'b:1')).toBe(true);
    await a.roundTick(); // by its own clock the lease is no longer surely valid
    await a.leaseTick();
    await a.roundTick();
    expect(a.held()).toEqual([]);
    expect(rounds).toEqual([]);
  });

  it('stops a round tick between zones at shutdown, and acquires nothing more', async () => {
    const leases = new MemoryLeases(TTL);
    const rounds: string[] = [];
    const scheduler = createZoneScheduler({
      leases,
      store: { activeZones: async () => ['z1', 'z2', 'z3'] },
      runRound: async (zone) => {
        rounds.push(zone);
        // SIGTERM arrives while the first zone's round runs.
        scheduler.stop();
        return { zone, orders: 1, riders: 1, offers: 0, conflicts: 0 };
      },
      replicaId: 'a',
      leaseTtlMs: TTL,
      ids: sequentialIds(),
      random: () => 0.5,
      monotonic: () => leases.now,
      logger,
    });
    await scheduler.leaseTick();
    expect(scheduler.held()).toEqual(['z1', 'z2', 'z3']);
    await scheduler.roundTick();
    expect(rounds).toEqual(['z1']);
    await scheduler.releaseAll();
    await scheduler.leaseTick();
    expect(scheduler.held()).toEqual([]);
    expect(leases.holder('z1')).toBeUndefined();
  });
});
