import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '@mealpeak/db';
import { TOPICS } from '@mealpeak/kafka';
import { createOutbox } from '@mealpeak/outbox';
import { createTestDatabase, type TestDatabase } from '@mealpeak/testing';
import { createPgDispatchStore } from '../src/adapters/pg-dispatch-store.ts';
import type { DispatchStore, OrderFacts } from '../src/app/ports.ts';
import { createRoundRunner } from '../src/app/rounds.ts';
import { dispatchModel } from '../src/app/settings.ts';
import { createDispatchUseCases } from '../src/app/use-cases.ts';
import type { UpstreamOrderState } from '../src/domain/delivery/model.ts';
import { ManualClock, MemoryPositions, sequentialIds } from './fakes.ts';
import { at, centre, logger, testSettings } from './world.ts';

/**
 * What the rider app reads and is told, on the real PostgreSQL store: its shift, where and from
 * whom it collects, orders taken back from it, and why an offer ended.
 */
const migrations = fileURLToPath(new URL('../migrations', import.meta.url));

describe('the rider app’s view on PostgreSQL', () => {
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

  let version = 10;
  const snapshot = (
    orderId: string,
    toState: UpstreamOrderState,
    o: { merchantId?: string; readyInS?: number } = {},
  ): OrderFacts => ({
    orderId,
    toState,
    version: ++version,
    zone,
    merchantId: o.merchantId ?? 'm-1',
    customerId: 'c-1',
    pickup: centre,
    dropoff: at(1_500, 500),
    dropoffAddress: `${orderId} Huaihai Rd`,
    merchantName: 'Noodle Bar',
    pickupAddress: '88 Huaihai Rd',
    placedAt: new Date(clock.now().getTime() - 60_000),
    expectedReadyAt: new Date(clock.now().getTime() + (o.readyInS ?? 0) * 1000),
    promisedAt: new Date(clock.now().getTime() + 40 * 60_000),
  });
  const publish = (facts: OrderFacts) =>
    store.applyOrderEvent({ consumer: 'rider-dispatch', eventId: randomUUID() }, facts);
  const online = (riderId: string, extra: { stayOnline?: boolean; northM?: number } = {}) =>
    useCases.setRiderOnline({
      riderId,
      online: true,
      position: at(extra.northM ?? 100),
      shiftEndsAt: undefined,
      stayOnline: extra.stayOnline,
    });
  const offline = (riderId: string) =>
    useCases.setRiderOnline({ riderId, online: false, position: undefined, shiftEndsAt: undefined });
  /** A rider alone near the zone with an accepted offer of `orderIds`. */
  async function acceptedRun(riderId: string, orderIds: string[], o: { readyInS?: number[] } = {}) {
    for (const [i, id] of orderIds.entries())
      await publish(snapshot(id, 'ACCEPTED', { readyInS: o.readyInS?.[i] ?? 0 }));
    expect((await online(riderId)).ok).toBe(true);
    await runRound(zone);
    const offer = await useCases.getOffer(riderId);
    if (!offer.ok || !offer.value) throw new Error(`no offer for ${riderId}`);
    expect([...offer.value.orderIds].sort()).toEqual([...orderIds].sort());
    expect((await useCases.respondToOffer(riderId, offer.value.offerId, true)).ok).toBe(true);
    return offer.value;
  }

  it('keeps "offline after deliveries" when a restarted app goes online again; stayOnline cancels it', async () => {
    await acceptedRun('r-leave', ['o-leave']);
    expect(await offline('r-leave')).toMatchObject({ ok: true, value: { online: true, leaving: true } });
    expect(await online('r-leave')).toMatchObject({
      ok: true,
      value: { online: true, status: 'delivering', leaving: true, offerable: false, reason: 'leaving' },
    });
    expect(await store.dispatchableRiders(['r-leave'], clock.now())).toEqual([]);
    expect(await online('r-leave', { stayOnline: true })).toMatchObject({
      ok: true,
      value: { leaving: false, offerable: true },
    });
    expect((await store.dispatchableRiders(['r-leave'], clock.now())).map((r) => r.riderId)).toEqual([
      'r-leave',
    ]);
    const shift = await useCases.getRider('r-leave');
    expect(shift).toMatchObject({ ok: true, value: { status: 'delivering', leaving: false } });
    expect(shift.ok && shift.value.shiftEndsAt!.getTime()).toBe(
      clock.now().getTime() + settings.defaultShiftMs,
    );
  });

  it('tells the offer and the run where to collect each order and whether it is ready', async () => {
    // Accepted by the kitchen, due now, not marked ready (a round would hold an order due later).
    const offer = await acceptedRun('r-collect', ['o-cooking']);
    const expectedReadyAt = clock.now();
    expect(offer.orders).toEqual([
      expect.objectContaining({ orderId: 'o-cooking', merchantId: 'm-1', ready: false, expectedReadyAt }),
    ]);
    const run = async () => {
      const res = await useCases.listRiderOrders('r-collect');
      if (!res.ok) throw new Error(res.error.message);
      return res.value.map((o) => ({ orderId: o.orderId, merchantId: o.merchantId, ready: o.ready }));
    };
    expect(await run()).toEqual([{ orderId: 'o-cooking', merchantId: 'm-1', ready: false }]);
    const cooking = await useCases.listRiderOrders('r-collect');
    expect(cooking.ok && cooking.value[0]!.expectedReadyAt).toEqual(expectedReadyAt);
    await publish(snapshot('o-cooking', 'READY_FOR_PICKUP'));
    expect(await run()).toEqual([{ orderId: 'o-cooking', merchantId: 'm-1', ready: true }]);
  });

  it('lists an order taken back from the rider as released with the reason, and refuses its pickup as released', async () => {
    await acceptedRun('r-gone', ['o-gone']);
    await publish(snapshot('o-gone', 'READY_FOR_PICKUP'));
    expect(await offline('r-gone')).toMatchObject({ ok: true, value: { leaving: true } });
    await useCases.sweepReleases();
    const listed = await useCases.listRiderOrders('r-gone', true);
    expect(listed.ok && listed.value).toEqual([
      expect.objectContaining({
        orderId: 'o-gone',
        state: 'released',
        releaseReason: 'offline_requested',
        releasedAt: clock.now(),
        sequence: 0,
        merchantId: 'm-1',
        // Someone else's now: no customer address or drop-off for the rider it was taken from.
        dropoff: undefined,
        dropoffAddress: '',
      }),
    ]);
    expect(await useCases.listRiderOrders('r-gone')).toEqual({ ok: true, value: [] });
    const pickup = await useCases.markPickedUp('r-gone', 'o-gone');
    expect(!pickup.ok && pickup.error.code).toBe('ORDER_RELEASED');
    expect(!pickup.ok && pickup.error.message).toContain('you went offline');
    const stranger = await useCases.markPickedUp('r-collect', 'o-gone');
    expect(!stranger.ok && stranger.error.code).toBe('ORDER_NOT_HELD');
    // Back online, offered and accepting the same order again: it is theirs, not released.
    await pool.query(`DELETE FROM declined WHERE order_id = 'o-gone'`);
    expect((await online('r-gone')).ok).toBe(true);
    await runRound(zone);
    const again = await useCases.getOffer('r-gone');
    expect(again.ok && again.value?.orderIds).toEqual(['o-gone']);
    // Offered to them again: it is in their offer, not listed as taken back.
    expect(await useCases.listRiderOrders('r-gone', true)).toEqual({ ok: true, value: [] });
    await useCases.respondToOffer('r-gone', again.ok ? again.value!.offerId : '', true);
    const back = await useCases.listRiderOrders('r-gone', true);
    expect(back.ok && back.value.map((o) => `${o.orderId}:${o.state}`)).toEqual(['o-gone:assigned']);
    expect((await useCases.markPickedUp('r-gone', 'o-gone')).ok).toBe(true);
  });

  it('tells a late accept its offer was declined when the rider went offline, and records it', async () => {
    await publish(snapshot('o-race', 'ACCEPTED'));
    expect((await online('r-race')).ok).toBe(true);
    await runRound(zone);
    const offer = await useCases.getOffer('r-race');
    const offerId = offer.ok && offer.value ? offer.value.offerId : '';
    expect(offerId).not.toBe('');
    // "Go offline" wins the race with the accept.
    expect(await offline('r-race')).toMatchObject({ ok: true, value: { online: false } });
    const late = await useCases.respondToOffer('r-race', offerId, true);
    expect(!late.ok && [late.error.code, late.error.message]).toEqual([
      'OFFER_ALREADY_ANSWERED',
      `offer ${offerId} was declined when you went offline`,
    ]);
    const { rows } = await pool.query('SELECT status, declined_by FROM offers WHERE offer_id = $1', [
      offerId,
    ]);
    expect(rows).toEqual([{ status: 'declined', declined_by: 'going_offline' }]);
    // The rider's own decline is recorded as theirs.
    await pool.query(`DELETE FROM declined WHERE order_id = 'o-race'`);
    expect((await online('r-race')).ok).toBe(true);
    await runRound(zone);
    const next = await useCases.getOffer('r-race');
    const nextId = next.ok && next.value ? next.value.offerId : '';
    expect((await useCases.respondToOffer('r-race', nextId, false)).ok).toBe(true);
    const changed = await useCases.respondToOffer('r-race', nextId, true);
    expect(!changed.ok && changed.error.message).toBe(`offer ${nextId} was already declined by you`);
  });
});
