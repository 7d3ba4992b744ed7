import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RiderAssigned } from '@mealpeak/contracts/dispatch.v1';
import { call } from '@mealpeak/grpc';
import { EVENTS } from '@mealpeak/kafka';
import type { PositionWriter } from '@mealpeak/rider-positions';
import { eventually } from '@mealpeak/testing';
import type { DispatchApp } from '../src/app.ts';
import { ManualClock } from './fakes.ts';
import {
  inProcessReplicas,
  publishOrders,
  startInfra,
  type InProcessReplicas,
  type Infra,
  type Replica,
  startSoloService,
  stopSoloService,
  type SoloService,
} from './harness.ts';
import { at, centre } from './world.ts';

describe('the release sweeper on PostgreSQL and Redis (two in-process replicas, one clock)', () => {
  let infra: Infra;
  let replicas: InProcessReplicas;
  let apps: DispatchApp[];
  let writer: PositionWriter;
  const clock = new ManualClock(new Date());
  const now = () => clock.now().getTime();

  beforeAll(async () => {
    infra = await startInfra();
    replicas = await inProcessReplicas(infra, { clock, poolMax: 4, now });
    ({ apps, writer } = replicas);
  });
  afterAll(async () => {
    await replicas?.close();
    await infra?.cleanup();
  });

  const order = (orderId: string) => ({
    orderId,
    toState: 'ACCEPTED' as const,
    version: 2,
    merchantId: `m-${orderId}`,
    customerId: 'c',
    pickup: centre,
    dropoff: at(1_500),
    dropoffAddress: `${orderId} Nanjing Rd`,
    merchantName: 'Noodle Bar',
    pickupAddress: '88 Huaihai Rd',
    placedAt: new Date(now() - 60_000),
    expectedReadyAt: clock.now(),
    promisedAt: new Date(now() + 2_400_000),
  });
  const ping = (riderId: string, northM: number) =>
    writer.write({ riderId, ...at(northM), recordedAt: now() });
  const online = async (app: DispatchApp, riderId: string, northM: number) =>
    expect(
      (
        await app.useCases.setRiderOnline({
          riderId,
          online: true,
          position: at(northM),
          shiftEndsAt: undefined,
        })
      ).ok,
    ).toBe(true);
  const row = async (orderId: string) =>
    (
      await infra.sql.query<{ state: string; rider_id: string | null }>(
        'SELECT state, rider_id FROM dispatch_orders WHERE order_id = $1',
        [orderId],
      )
    ).rows[0];
  /** Both replicas sweep at the same instant, every 10 s of the clock; `heard` keep pinging. */
  async function pass(ms: number, heard: readonly [string, number][]) {
    for (let t = 0; t < ms; t += 10_000) {
      clock.advance(10_000);
      for (const [id, north] of heard) expect((await ping(id, north)).status).toBe('accepted');
      await Promise.all(apps.map((app) => app.useCases.sweepReleases()));
    }
  }

  it("returns a silent rider's order to waiting once, frees the rider and says why; another rider gets it", async () => {
    const [a, b] = apps as [DispatchApp, DispatchApp];
    const zone = a.model.grid.zoneOf(centre);
    expect(await a.useCases.applyOrderStateChanged(randomUUID(), order('o-silent'))).toBe('insert');
    await online(a, 'silent', 100);
    await online(b, 'other', 800);
    await a.runRound(zone);
    const offer = await a.store.pendingOffer('silent', clock.now());
    expect(offer?.orderIds).toEqual(['o-silent']);
    expect((await a.useCases.respondToOffer('silent', offer!.offerId, true)).ok).toBe(true);

    // The index forgets the rider after 1 min; PostgreSQL remembers when the silence began.
    await pass(70_000, [['other', 800]]);
    const silentSince = await infra.sql.query<{ silent_since: Date | null }>(
      "SELECT silent_since FROM riders WHERE rider_id = 'silent'",
    );
    expect(silentSince.rows[0]?.silent_since).toBeInstanceOf(Date);
    expect(await row('o-silent')).toEqual({ state: 'assigned', rider_id: 'silent' });

    await pass(120_000, [['other', 800]]);
    expect(await row('o-silent')).toEqual({ state: 'waiting', rider_id: null });
    const releases = await infra.sql.query('SELECT order_id, rider_id, offer_id, reason FROM order_releases');
    expect(releases.rows).toEqual([
      { order_id: 'o-silent', rider_id: 'silent', offer_id: offer!.offerId, reason: 'rider_silent' },
    ]);
    const rider = await infra.sql.query(
      "SELECT status, online, busy_until, silent_since FROM riders WHERE rider_id = 'silent'",
    );
    expect(rider.rows[0]).toEqual({ status: 'idle', online: true, busy_until: null, silent_since: null });
    // The unassigned-order gauge sees it again, with its age since placement.
    const stats = await a.useCases.queueStats();
    expect(stats.waiting).toBe(1);
    expect(stats.oldestAgeSeconds).toBeGreaterThan(0);

    // Back in the queue: the next round offers it to the rider who is heard, not the silent one.
    await ping('silent', 100);
    await b.runRound(zone);
    expect((await b.store.pendingOffer('other', clock.now()))?.orderIds).toEqual(['o-silent']);
    expect(await b.store.pendingOffer('silent', clock.now())).toBeUndefined();
  });

  it('never releases picked-up food; counts it as picked up with a silent rider', async () => {
    const [a, b] = apps as [DispatchApp, DispatchApp];
    const zone = a.model.grid.zoneOf(centre);
    await a.useCases.applyOrderStateChanged(randomUUID(), order('o-carried'));
    await a.useCases.applyOrderStateChanged(randomUUID(), {
      ...order('o-carried'),
      toState: 'READY_FOR_PICKUP',
      version: 3,
    });
    await online(a, 'carrier', -100);
    await a.runRound(zone);
    const offer = await a.store.pendingOffer('carrier', clock.now());
    expect(offer?.orderIds).toEqual(['o-carried']);
    expect((await a.useCases.respondToOffer('carrier', offer!.offerId, true)).ok).toBe(true);
    expect((await a.useCases.markPickedUp('carrier', 'o-carried')).ok).toBe(true);
    const before = (await b.useCases.queueStats()).pickedUpSilent;

    await pass(10 * 60_000, [['other', 800]]);
    expect(await row('o-carried')).toEqual({ state: 'picked_up', rider_id: 'carrier' });
    expect((await b.useCases.queueStats()).pickedUpSilent).toBe(before + 1);
    const releases = await infra.sql.query("SELECT 1 FROM order_releases WHERE order_id = 'o-carried'");
    expect(releases.rows).toHaveLength(0);
  });
});

describe('the release sweeper in the real service (src/main.ts)', () => {
  let solo: SoloService | undefined;
  let infra: Infra;
  let replica: Replica;
  let events: SoloService['events'];

  beforeAll(async () => {
    solo = await startSoloService({
      ROUND_INTERVAL_MS: '300',
      LEASE_TTL_MS: '3000',
      RELEASE_SWEEP_INTERVAL_MS: '1000',
    });
    ({ infra, replica, events } = solo);
  });
  afterAll(() => stopSoloService(solo));

  it('gives the pickups of a rider going offline to another rider, and tells the order service', async () => {
    const api = replica.client;
    const online = (riderId: string, northM: number) =>
      call(api.setRiderOnline.bind(api), {
        riderId,
        online: true,
        position: at(northM),
        shiftEndsAt: new Date(Date.now() + 3_600_000),
        stayOnline: false,
      });
    const offerOf = async (riderId: string) => {
      const res = await call(api.getOffer.bind(api), { riderId });
      return res.ok ? res.value.offer : undefined;
    };
    expect((await online('leaving', 100)).ok).toBe(true);
    await publishOrders(infra, [{ orderId: 'o-handover' }]);
    const first = await eventually(() => offerOf('leaving'), 30_000, 'an offer to the leaving rider');
    expect(
      (await call(api.respondToOffer.bind(api), { riderId: 'leaving', offerId: first.offerId, accept: true }))
        .ok,
    ).toBe(true);

    const off = await call(api.setRiderOnline.bind(api), {
      riderId: 'leaving',
      online: false,
      position: undefined,
      shiftEndsAt: undefined,
      stayOnline: false,
    });
    expect(off.ok).toBe(true);
    expect((await online('staying', 700)).ok).toBe(true);
    const next = await eventually(() => offerOf('staying'), 30_000, 'the order offered to another rider');
    expect(next.orderIds).toEqual(['o-handover']);
    expect(
      (await call(api.respondToOffer.bind(api), { riderId: 'staying', offerId: next.offerId, accept: true }))
        .ok,
    ).toBe(true);

    const assigned = await eventually(
      () => {
        const riders = events.seen
          .filter((e) => e.type === EVENTS.riderAssigned.name && e.key === 'o-handover')
          .map((e) => RiderAssigned.decode(e.payload).riderId);
        return riders.length === 2 ? riders : undefined;
      },
      30_000,
      'RiderAssigned for both riders',
    );
    expect(assigned).toEqual(['leaving', 'staying']);
    const reason = await infra.sql.query("SELECT reason FROM order_releases WHERE order_id = 'o-handover'");
    expect(reason.rows).toEqual([{ reason: 'offline_requested' }]);
    const tracking = await call(api.getDeliveryTracking.bind(api), { orderId: 'o-handover' });
    expect(tracking.ok && tracking.value.riderId).toBe('staying');
  });
});
