import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call } from '@mealpeak/grpc';
import { eventually } from '@mealpeak/testing';
import { leaseKeys } from '../src/adapters/redis-zone-leases.ts';
import { createZoneGrid } from '../src/domain/geo/zone-grid.ts';
import { offers, publishOrders, spawnReplica, startInfra, type Infra, type Replica } from './harness.ts';
import { at, centre } from './world.ts';

const LEASE_TTL_MS = 3_000;
const LEASE_TICK_MS = LEASE_TTL_MS / 3;
const ROUND_INTERVAL_MS = 300;

describe('killing the replica that holds a zone', () => {
  let infra: Infra;
  const replicas: Replica[] = [];
  const zone = createZoneGrid(3_000).zoneOf(centre);

  beforeAll(async () => {
    infra = await startInfra();
    const env = {
      LEASE_TTL_MS: String(LEASE_TTL_MS),
      ROUND_INTERVAL_MS: String(ROUND_INTERVAL_MS),
      OFFER_TIMEOUT_MS: '120000',
    };
    replicas.push(
      ...(await Promise.all([spawnReplica(infra, 'replica-a', env), spawnReplica(infra, 'replica-b', env)])),
    );
  });
  afterAll(async () => {
    for (const r of replicas) {
      r.client.close();
      r.proc.kill('SIGKILL');
    }
    await infra?.cleanup();
  });

  /** The replica whose token the zone's lease key holds (REPLICA_ID:random). */
  const holder = async () => (await infra.redis.client.get(leaseKeys().lease(zone)))?.split(':')[0];

  it('hands the zone to the survivor within the lease time, which then dispatches new orders', async () => {
    const [a] = replicas as [Replica, Replica];
    for (let i = 0; i < 6; i++) {
      const online = await call(a.client.setRiderOnline.bind(a.client), {
        riderId: `r-${i}`,
        online: true,
        position: at(100 + i * 100),
        shiftEndsAt: new Date(Date.now() + 3_600_000),
        stayOnline: false,
      });
      expect(online.ok).toBe(true);
    }
    // One order to dispatch now, one whose food is an hour away: the engine holds it, so the zone
    // keeps waiting work (a lease is only held on zones with waiting orders).
    await publishOrders(infra, [{ orderId: 'before-kill' }, { orderId: 'later', readyInS: 3_600 }]);
    const first = await eventually(async () => (await offers(infra))[0], 30_000, 'the first offer');
    await eventually(
      async () => {
        const { rows } = await infra.sql.query(
          "SELECT 1 FROM dispatch_orders WHERE order_id = 'later' AND state = 'waiting'",
        );
        return rows.length === 1 ? true : undefined;
      },
      30_000,
      'the held order',
    );
    const owner = await holder();
    expect(first.replica_id).toBe(owner);
    const victim = replicas.find((r) => r.id === owner)!;
    const survivor = replicas.find((r) => r.id !== owner)!;

    victim.proc.kill('SIGKILL');
    expect(await victim.proc.exited()).toBe('SIGKILL');
    // The lease cannot be given back by a dead process: it expires, and the survivor's next
    // acquisition tick takes it. (A small allowance for the survivor's own scheduling.)
    await eventually(
      async () => ((await holder()) === survivor.id ? true : undefined),
      LEASE_TTL_MS + LEASE_TICK_MS + 1_000,
      `${survivor.id} holding the lease within the lease time`,
    );

    await publishOrders(infra, [
      { orderId: 'after-kill-1', pickup: at(-200) },
      { orderId: 'after-kill-2', pickup: at(400, 300) },
    ]);
    // These may sit on a Kafka partition the dead consumer owned until the group rebalances
    // (session timeout 10 s), so this wait is the consumer's handover, not the lease's.
    const late = await eventually(
      async () => {
        const rows = (await offers(infra)).filter((o) =>
          o.order_ids.some((id) => id.startsWith('after-kill')),
        );
        return rows.flatMap((o) => o.order_ids).length === 2 ? rows : undefined;
      },
      45_000,
      'offers for the orders added after the kill',
    );
    expect(late.every((o) => o.replica_id === survivor.id)).toBe(true);
    expect(new Set(late.map((o) => o.rider_id)).has(first.rider_id)).toBe(false);
  });
});
