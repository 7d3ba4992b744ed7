import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '@mealpeak/db';
import { TOPICS } from '@mealpeak/kafka';
import { createOutbox } from '@mealpeak/outbox';
import { createTestDatabase, type TestDatabase } from '@mealpeak/testing';
import { createPgDispatchStore } from '../src/adapters/pg-dispatch-store.ts';
import {
  createPgStatusStore,
  OFFER_TALLIES_SQL,
  RECENT_OFFERS_SQL,
} from '../src/adapters/pg-status-store.ts';
import type { DispatchStore, OrderFacts } from '../src/app/ports.ts';
import { createRoundRunner } from '../src/app/rounds.ts';
import { dispatchModel } from '../src/app/settings.ts';
import { createDispatchUseCases } from '../src/app/use-cases.ts';
import { ManualClock, MemoryPositions, sequentialIds } from './fakes.ts';
import { at, centre, logger, testSettings } from './world.ts';

/**
 * Ops' view of an order (GetDispatchStatus) read from the real dispatch schema: the offers found
 * through their order_ids by the GIN index of migration 0011, releases joined to the accepted
 * offer they undid, a bundle's offers found from either of its orders.
 */
const migrations = fileURLToPath(new URL('../migrations', import.meta.url));

describe('dispatch status on PostgreSQL', () => {
  let db: TestDatabase;
  let pool: pg.Pool;
  let store: DispatchStore;
  const clock = new ManualClock(new Date());
  const positions = new MemoryPositions(clock);
  const settings = testSettings();
  const model = dispatchModel(settings);
  const zone = model.grid.zoneOf(centre);
  let useCases: ReturnType<typeof createDispatchUseCases>;
  let runRound: ReturnType<typeof createRoundRunner>;

  beforeAll(async () => {
    db = await createTestDatabase();
    pool = new pg.Pool({ connectionString: db.url, options: '-c search_path=dispatch,public', max: 4 });
    await migrate(pool, 'dispatch', migrations);
    store = createPgDispatchStore(
      pool,
      createOutbox({ schema: 'dispatch', partitions: 4 }),
      TOPICS.dispatchEvents,
    );
    useCases = createDispatchUseCases({ store, positions, clock, settings, model, logger });
    runRound = createRoundRunner({ store, positions, clock, ids: sequentialIds(), settings, model, logger });
  });
  afterAll(async () => {
    await pool?.end();
    await db?.drop();
  });

  const accepted = (orderId: string, merchantId: string): OrderFacts => ({
    orderId,
    toState: 'ACCEPTED',
    version: 2,
    zone,
    merchantId,
    customerId: 'c-1',
    pickup: centre,
    dropoff: at(1_500, 500),
    dropoffAddress: `${orderId} Huaihai Rd`,
    merchantName: 'Noodle Bar',
    pickupAddress: '88 Huaihai Rd',
    placedAt: new Date(clock.now().getTime() - 60_000),
    expectedReadyAt: clock.now(),
    promisedAt: new Date(clock.now().getTime() + 40 * 60_000),
  });
  const publish = (facts: OrderFacts) =>
    store.applyOrderEvent({ consumer: 'rider-dispatch', eventId: randomUUID() }, facts);
  const online = async (riderId: string, northM: number) =>
    useCases.setRiderOnline({ riderId, online: true, position: at(northM), shiftEndsAt: undefined });
  const offline = (riderId: string) =>
    useCases.setRiderOnline({ riderId, online: false, position: undefined, shiftEndsAt: undefined });
  async function pendingOf(riderId: string) {
    const offer = await useCases.getOffer(riderId);
    if (!offer.ok || !offer.value) throw new Error(`no offer for ${riderId}`);
    return offer.value;
  }
  async function status(orderId: string) {
    const res = await useCases.getDispatchStatus(orderId);
    if (!res.ok) throw new Error(res.error.message);
    return res.value;
  }

  it('tells who holds the offer until when, then how every offer of the order ended', async () => {
    await publish(accepted('o-1', 'm-1'));
    expect(await status('o-1')).toMatchObject({
      phase: 'waiting',
      recentOffers: [],
      pendingOffer: undefined,
    });

    await online('r-near', 100);
    await runRound(zone);
    const first = await pendingOf('r-near');
    expect(await status('o-1')).toMatchObject({
      phase: 'offered',
      pendingOffer: {
        offerId: first.offerId,
        riderId: 'r-near',
        outcome: 'pending',
        expiresAt: first.expiresAt,
      },
    });
    await useCases.respondToOffer('r-near', first.offerId, false);

    await online('r-mid', 400);
    await runRound(zone);
    await pendingOf('r-mid');
    clock.advance(settings.offerTimeoutMs);
    expect(await useCases.expireOffers()).toBe(1);

    await online('r-off', 600);
    await runRound(zone);
    await pendingOf('r-off');
    await offline('r-off'); // offline with the offer pending: declined, by going offline

    await online('r-far', 800);
    await runRound(zone);
    const last = await pendingOf('r-far');
    clock.advance(2_000);
    await useCases.respondToOffer('r-far', last.offerId, true);
    expect(await status('o-1')).toMatchObject({
      phase: 'assigned',
      riderId: 'r-far',
      assignedAt: clock.now(),
    });

    // Taken back when the rider goes offline before pickup: waiting again, with why.
    clock.advance(1_000);
    await offline('r-far');
    await useCases.sweepReleases();
    const s = await status('o-1');
    expect(s).toMatchObject({ phase: 'waiting', riderId: undefined, pendingOffer: undefined });
    expect(s.recentOffers.map((o) => `${o.riderId}:${o.outcome}`)).toEqual([
      'r-far:released',
      'r-off:declined_going_offline',
      'r-mid:expired',
      'r-near:declined',
    ]);
    expect(s.recentOffers[0]).toMatchObject({
      offerId: last.offerId,
      releaseReason: 'offline_requested',
      releasedAt: clock.now(),
    });
    expect(s.offerCounts).toEqual({
      accepted: 0,
      released: 1,
      declined: 1,
      declined_going_offline: 1,
      expired: 1,
      withdrawn: 0,
    });

    // The store's limit bounds the list, never the counts.
    const two = await store.dispatchRecord('o-1', 2);
    expect(two?.recentOffers.map((o) => o.riderId)).toEqual(['r-far', 'r-off']);
    expect(two?.tallies.reduce((n, t) => n + t.count, 0)).toBe(4);
  });

  it('finds a bundle’s offer from each of its orders, and nothing of other orders', async () => {
    await pool.query(`UPDATE riders SET online = false`);
    await publish(accepted('o-a', 'm-2'));
    await publish(accepted('o-b', 'm-2'));
    await online('r-bundle', 100);
    await runRound(zone);
    const bundle = await pendingOf('r-bundle');
    expect([...bundle.orderIds].sort()).toEqual(['o-a', 'o-b']);
    for (const id of ['o-a', 'o-b']) {
      const s = await status(id);
      expect(s.pendingOffer).toMatchObject({ offerId: bundle.offerId, orderIds: bundle.orderIds });
      expect(s.recentOffers).toHaveLength(1);
    }
    // o-1's offers are not theirs, nor theirs o-1's.
    expect((await status('o-1')).recentOffers.map((o) => o.offerId)).not.toContain(bundle.offerId);
  });

  const cancelled = (orderId: string, merchantId: string): OrderFacts => ({
    ...accepted(orderId, merchantId),
    toState: 'CANCELLED',
    version: 3,
  });
  /** Earlier tests' orders out of the way (finished) and their riders offline: rounds see only ours. */
  async function clearTheField() {
    await pool.query(`UPDATE riders SET online = false`);
    await pool.query(`UPDATE dispatch_orders SET state = 'cancelled' WHERE state = 'waiting'`);
  }
  /** Two orders of one restaurant, offered together to one rider. */
  async function bundle(a: string, b: string, merchant: string, rider: string) {
    await clearTheField();
    await publish(accepted(a, merchant));
    await publish(accepted(b, merchant));
    await online(rider, 100);
    await runRound(zone);
    const offer = await pendingOf(rider);
    expect([...offer.orderIds].sort()).toEqual([a, b].sort());
    return offer;
  }

  it.each([
    ['accepts', true],
    ['declines', false],
  ])(
    'a bundle order cancelled while offered: withdrawn and nobody’s when the rider then %s the rest',
    async (answer, accept) => {
      const [a, b, rider] = [`${answer}-a`, `${answer}-b`, `r-${answer}`];
      const offer = await bundle(a, b, `m-${answer}`, rider);
      await publish(cancelled(a, `m-${answer}`));
      const cancelledAt = (await status(a)).cancelledAt;
      clock.advance(1_000);
      const answered = await useCases.respondToOffer(rider, offer.offerId, accept);
      expect(answered.ok).toBe(true);

      const s = await status(a);
      expect(s).toMatchObject({ phase: 'cancelled', riderId: undefined, assignedAt: undefined });
      expect(s.recentOffers.map((o) => [o.offerId, o.outcome, o.answeredAt])).toEqual([
        [offer.offerId, 'withdrawn', cancelledAt],
      ]);
      expect(s.offerCounts).toEqual({
        accepted: 0,
        released: 0,
        declined: 0,
        declined_going_offline: 0,
        expired: 0,
        withdrawn: 1,
      });
      // The other order has the rider's answer.
      const other = await status(b);
      expect(other.recentOffers[0]?.outcome).toBe(accept ? 'accepted' : 'declined');
      expect(other).toMatchObject(accept ? { phase: 'assigned', riderId: rider } : { phase: 'waiting' });
    },
  );

  it('an accept stamped before a cancellation that committed first: the cancelled order is nobody’s', async () => {
    // Wall clocks, as in production: the accept reads its time, then waits (here for the rider's
    // position) while the cancellation of one bundle order commits, later by the clock.
    const wall = { now: () => new Date() };
    let entered!: () => void;
    const reached = new Promise<void>((resolve) => (entered = resolve));
    let gate!: () => void;
    const gated = new Promise<void>((resolve) => (gate = resolve));
    const slowPositions = Object.assign(Object.create(positions) as MemoryPositions, {
      get: async (riderId: string) => {
        entered();
        await gated;
        return positions.get(riderId);
      },
    });
    const live = createDispatchUseCases({
      store,
      positions: slowPositions,
      clock: wall,
      settings,
      model,
      logger,
    });
    const offer = await bundle('race-a', 'race-b', 'm-race', 'r-race');
    const accepting = live.respondToOffer('r-race', offer.offerId, true);
    await reached; // the accept has read its time
    await publish(cancelled('race-a', 'm-race')); // stamped at or after it, committed first
    gate();
    expect((await accepting).ok).toBe(true);

    const s = await status('race-a');
    expect(s).toMatchObject({ phase: 'cancelled', riderId: undefined, assignedAt: undefined });
    expect(s.recentOffers[0]?.outcome).toBe('withdrawn');
    expect(s.offerCounts).toMatchObject({ accepted: 0, withdrawn: 1 });
    // Nor is it in the rider's run: they took race-b only.
    const run = await live.listRiderOrders('r-race');
    expect(run.ok && run.value.map((o) => `${o.orderId}:${o.state}`)).toEqual(['race-b:assigned']);
  });

  it('orders cancelled before cancelled_from was recorded are judged by the times, as before', async () => {
    // In the rider's hands: accepted, then cancelled.
    await clearTheField();
    await publish(accepted('old-held', 'm-old'));
    await online('r-old', 100);
    await runRound(zone);
    await useCases.respondToOffer('r-old', (await pendingOf('r-old')).offerId, true);
    await publish(cancelled('old-held', 'm-old'));
    // Only offered: a bundle order cancelled, the rest declined by the rider afterwards.
    const offer = await bundle('old-a', 'old-b', 'm-old2', 'r-old2');
    await publish(cancelled('old-a', 'm-old2'));
    await useCases.respondToOffer('r-old2', offer.offerId, false);
    // As a replica of the previous release leaves them: no cancelled_from; times set apart.
    await pool.query(
      `UPDATE dispatch_orders SET cancelled_from = NULL, updated_at = '2026-12-01T12:00:00Z'
        WHERE order_id IN ('old-held', 'old-a')`,
    );
    await pool.query(
      `UPDATE offers SET responded_at = CASE WHEN rider_id = 'r-old' THEN '2026-12-01T11:59:00Z'::timestamptz
                                             ELSE '2026-12-01T12:00:05Z'::timestamptz END
        WHERE order_ids && ARRAY['old-held', 'old-a']`,
    );
    expect(await status('old-held')).toMatchObject({ phase: 'cancelled', riderId: 'r-old' });
    expect((await status('old-held')).offerCounts).toMatchObject({ accepted: 1, withdrawn: 0 });
    const a = await status('old-a');
    expect(a).toMatchObject({ phase: 'cancelled', riderId: undefined });
    expect(a.recentOffers[0]?.outcome).toBe('withdrawn');
    expect(a.offerCounts).toMatchObject({ declined: 0, withdrawn: 1 });
  });

  it('shows an offer past its expiry, not swept yet, as expired, as an accept is refused', async () => {
    await clearTheField();
    await publish(accepted('x-1', 'm-x'));
    await online('r-x', 100);
    await runRound(zone);
    const offer = await pendingOf('r-x');
    clock.advance(settings.offerTimeoutMs + 5_000);
    const before = await status('x-1');
    expect(before).toMatchObject({ phase: 'waiting', pendingOffer: undefined, riderId: undefined });
    expect(before.recentOffers.map((o) => `${o.riderId}:${o.outcome}`)).toEqual(['r-x:expired']);
    expect(before.offerCounts.expired).toBe(1);
    const accept = await useCases.respondToOffer('r-x', offer.offerId, true);
    expect(!accept.ok && accept.error.code).toBe('OFFER_EXPIRED');
    // Recorded now (the refused accept expires it, as the sweeper would): the same view.
    const after = await status('x-1');
    expect(after.phase).toBe('waiting');
    expect(after.offerCounts).toEqual(before.offerCounts);
  });

  it('a bundle with one order picked up and the other taken back: each tells its own story', async () => {
    const offer = await bundle('b4-a', 'b4-b', 'm-b4', 'r-b4');
    await useCases.respondToOffer('r-b4', offer.offerId, true);
    await pool.query(`UPDATE dispatch_orders SET ready = true WHERE order_id IN ('b4-a', 'b4-b')`);
    expect((await useCases.markPickedUp('r-b4', 'b4-a')).ok).toBe(true);
    clock.advance(1_000);
    await offline('r-b4'); // the order still to pick up is released, the one in the bag stays
    await useCases.sweepReleases();
    const a = await status('b4-a');
    expect(a).toMatchObject({ phase: 'picked_up', riderId: 'r-b4' });
    expect(a.recentOffers[0]?.outcome).toBe('accepted');
    const b = await status('b4-b');
    expect(b).toMatchObject({ phase: 'waiting', riderId: undefined });
    expect(b.recentOffers[0]).toMatchObject({ outcome: 'released', releaseReason: 'offline_requested' });
  });

  it('released, accepted by another rider, then cancelled in their hands: names that rider', async () => {
    await clearTheField();
    await publish(accepted('r5', 'm-r5'));
    await online('r5-a', 100);
    await runRound(zone);
    await useCases.respondToOffer('r5-a', (await pendingOf('r5-a')).offerId, true);
    await offline('r5-a');
    await useCases.sweepReleases();
    await online('r5-b', 200);
    await runRound(zone);
    await useCases.respondToOffer('r5-b', (await pendingOf('r5-b')).offerId, true);
    clock.advance(1_000);
    await publish(cancelled('r5', 'm-r5'));
    const s = await status('r5');
    expect(s).toMatchObject({ phase: 'cancelled', riderId: 'r5-b' });
    expect(s.recentOffers.map((o) => `${o.riderId}:${o.outcome}`)).toEqual([
      'r5-b:accepted',
      'r5-a:released',
    ]);
  });

  it('answers ORDER_NOT_FOUND for an order it has no row for', async () => {
    const res = await useCases.getDispatchStatus('o-never');
    expect(!res.ok && res.error.code).toBe('ORDER_NOT_FOUND');
  });

  it('writes offers into offers_order_ids directly, leaving no pending list to merge (0011)', async () => {
    const { rows } = await pool.query<{ reloptions: string[] | null }>(
      `SELECT reloptions FROM pg_class WHERE oid = 'dispatch.offers_order_ids'::regclass`,
    );
    expect(rows[0]?.reloptions).toContain('fastupdate=off');
    // The tests above wrote offers and changed their status: nothing of it waits in a pending list.
    const pending = await pool.query<{ pages: string }>(
      `SELECT gin_clean_pending_list('offers_order_ids') AS pages`,
    );
    expect(Number(pending.rows[0]?.pages)).toBe(0);
  });

  it('reads an order in one read-only snapshot', async () => {
    // A pool of its own whose connection records what it is sent.
    const own = new pg.Pool({ connectionString: db.url, options: '-c search_path=dispatch,public', max: 1 });
    const sent: unknown[] = [];
    own.on('connect', (client) => {
      const query = client.query.bind(client) as (...args: unknown[]) => unknown;
      (client as { query: unknown }).query = (...args: unknown[]) => {
        sent.push(args[0]);
        return query(...args);
      };
    });
    try {
      await publish(accepted('ro-1', 'm-ro'));
      expect((await createPgStatusStore(own).dispatchRecord('ro-1', 20))?.order.orderId).toBe('ro-1');
      expect(sent[0]).toBe('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    } finally {
      await own.end();
    }
  });

  it('reads the offers of an order through the index, not by walking every offer', async () => {
    const client = await pool.connect();
    try {
      // A test table is tiny, where a scan is cheapest: forbid it to see whether an index can answer.
      await client.query('SET enable_seqscan = off');
      for (const [sql, params] of [
        [RECENT_OFFERS_SQL, ['o-1', 20]],
        [OFFER_TALLIES_SQL, ['o-1']],
      ] as const) {
        const { rows } = await client.query<{ 'QUERY PLAN': unknown }>(`EXPLAIN (FORMAT JSON) ${sql}`, [
          ...params,
        ]);
        const plan = JSON.stringify(rows[0]!['QUERY PLAN']);
        expect(plan).toContain('"Index Name":"offers_order_ids"');
        expect(plan).not.toMatch(/"Node Type":"Seq Scan"[^}]*"Relation Name":"offers"/);
      }
    } finally {
      await client.query('RESET enable_seqscan');
      client.release();
    }
  });
});
