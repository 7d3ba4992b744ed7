import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call } from '@mealpeak/grpc';
import { eventually } from '@mealpeak/testing';
import type { DispatchApp } from '../src/app.ts';
import { ManualClock } from './fakes.ts';
import {
  inProcessReplicas,
  offers,
  publishOrders,
  spawnReplica,
  startInfra,
  type InProcessReplicas,
  type Infra,
  type Replica,
} from './harness.ts';
import { at, centre } from './world.ts';

/** The invariants the claim guarantees, read from the offers table. */
function expectNoDoubleAssignment(rows: Awaited<ReturnType<typeof offers>>) {
  const live = rows.filter((o) => o.status === 'pending' || o.status === 'accepted');
  const liveRiders = live.map((o) => o.rider_id);
  const liveOrders = live.flatMap((o) => o.order_ids);
  expect(new Set(liveRiders).size, 'a rider with two live offers').toBe(liveRiders.length);
  expect(new Set(liveOrders).size, 'an order in two live offers').toBe(liveOrders.length);
  const pairs = rows.flatMap((o) => o.order_ids.map((id) => `${id}|${o.rider_id}`));
  expect(new Set(pairs).size, 'an order offered again to a rider who declined it').toBe(pairs.length);
}

describe('two in-process replicas forced onto one zone at the same instant (no leases)', () => {
  let infra: Infra;
  let replicas: InProcessReplicas;
  let apps: DispatchApp[];
  const clock = new ManualClock(new Date());

  beforeAll(async () => {
    infra = await startInfra();
    replicas = await inProcessReplicas(infra, { clock, poolMax: 6 });
    apps = replicas.apps;
  });
  afterAll(async () => {
    await replicas?.close();
    await infra?.cleanup();
  });

  it('claims each rider and each order once, through declines and expiries', async () => {
    const [a, b] = apps as [DispatchApp, DispatchApp];
    const zone = a.model.grid.zoneOf(centre);
    for (let i = 0; i < 60; i++) {
      const applied = await a.useCases.applyOrderStateChanged(randomUUID(), {
        orderId: `o-${i}`,
        toState: 'ACCEPTED',
        version: 2,
        merchantId: `m-${i % 9}`,
        customerId: 'c',
        dropoffAddress: '',
        merchantName: `Kitchen ${i % 9}`,
        pickupAddress: '',
        pickup: at((i % 9) * 100 - 400, (i % 9) * 60 - 240),
        dropoff: at(1_200, (i % 5) * 200),
        placedAt: new Date(clock.now().getTime() - 60_000),
        expectedReadyAt: clock.now(),
        promisedAt: new Date(clock.now().getTime() + 2_400_000),
      });
      expect(applied).toBe('insert');
    }
    for (let i = 0; i < 40; i++) {
      const app = i % 2 === 0 ? a : b;
      const online = await app.useCases.setRiderOnline({
        riderId: `r-${i}`,
        online: true,
        position: at(i * 30 - 600, 300 - i * 15),
        shiftEndsAt: undefined,
      });
      expect(online.ok).toBe(true);
    }
    const wave = () => Promise.all([a.runRound(zone), b.runRound(zone), a.runRound(zone), b.runRound(zone)]);
    let conflicts = 0;

    conflicts += (await wave()).reduce((n, r) => n + r.conflicts, 0);
    expectNoDoubleAssignment(await offers(infra));
    // Every rider declines (half through each replica): orders go back, never to the same rider.
    const first = (await offers(infra)).filter((o) => o.status === 'pending');
    expect(first.length).toBeGreaterThan(10);
    await Promise.all(
      first.map((o, i) => (i % 2 ? a : b).useCases.respondToOffer(o.rider_id, o.offer_id, false)),
    );

    conflicts += (await wave()).reduce((n, r) => n + r.conflicts, 0);
    expectNoDoubleAssignment(await offers(infra));
    // Nobody answers: both replicas sweep at once, each offer expires exactly once.
    const pending = (await offers(infra)).filter((o) => o.status === 'pending').length;
    clock.advance(31_000);
    const swept = await Promise.all([a.useCases.expireOffers(), b.useCases.expireOffers()]);
    expect(swept[0] + swept[1]).toBe(pending);

    conflicts += (await wave()).reduce((n, r) => n + r.conflicts, 0);
    expectNoDoubleAssignment(await offers(infra));
    expect(conflicts, 'the replicas really competed for the same riders and orders').toBeGreaterThan(0);
    // Rider rows agree with the offers: offered exactly when holding a pending offer.
    const riders = await infra.sql.query<{ rider_id: string; status: string }>(
      'SELECT rider_id, status FROM riders',
    );
    const holding = new Set(
      (await offers(infra)).filter((o) => o.status === 'pending').map((o) => o.rider_id),
    );
    expect(riders.rows).toHaveLength(40);
    for (const r of riders.rows)
      expect(r.status, r.rider_id).toBe(holding.has(r.rider_id) ? 'offered' : 'idle');
  });
});

describe('two dispatch processes (src/main.ts) with zone leases', () => {
  let infra: Infra;
  const replicas: Replica[] = [];

  beforeAll(async () => {
    infra = await startInfra();
    const env = { LEASE_TTL_MS: '3000', ROUND_INTERVAL_MS: '300', OFFER_TIMEOUT_MS: '120000' };
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

  it('never assigns a rider or an order twice, many orders and riders on one zone', async () => {
    for (let i = 0; i < 25; i++) {
      const { client } = replicas[i % 2]!;
      const online = await call(client.setRiderOnline.bind(client), {
        riderId: `r-${i}`,
        online: true,
        position: at(i * 40 - 500, 200 - i * 20),
        shiftEndsAt: new Date(Date.now() + 3_600_000),
        stayOnline: false,
      });
      expect(online.ok).toBe(true);
    }
    await publishOrders(
      infra,
      Array.from({ length: 40 }, (_, i) => ({
        orderId: `order-${i}`,
        pickup: at((i % 8) * 120 - 480, (i % 5) * 100 - 200),
        merchantId: `m-${i % 8}`,
      })),
    );
    const rows = await eventually(
      async () => {
        const all = await offers(infra);
        return new Set(all.map((o) => o.rider_id)).size === 25 ? all : undefined;
      },
      60_000,
      'an offer for every rider',
    );
    expectNoDoubleAssignment(rows);
    // The zone has one lease holder: only it ran rounds.
    expect(new Set(rows.map((o) => o.replica_id)).size).toBe(1);
    expect(replicas.every((r) => r.proc.child.exitCode === null)).toBe(true);
  });
});
