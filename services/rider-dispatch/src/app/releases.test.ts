import { describe, expect, it } from 'vitest';
import { at, createWorld } from '../../test/world.ts';
import { MASS_SILENCE } from './releases.ts';

const MIN = 60_000;

/** `first` (nearest) accepted o-1; `second` is online farther away. */
async function accepted(shiftEndsAt?: Date) {
  const w = createWorld();
  await w.addOrder('o-1');
  await w.addRider('first', at(100));
  if (shiftEndsAt)
    await w.useCases.setRiderOnline({ riderId: 'first', online: true, position: at(100), shiftEndsAt });
  await w.addRider('second', at(600));
  await w.runRound(w.zone);
  const offer = w.offerOf('first')!;
  expect((await w.useCases.respondToOffer('first', offer.offerId, true)).ok).toBe(true);
  return w;
}

type World = Awaited<ReturnType<typeof accepted>>;

/** Time passes with `heard` riders pinging where they are; the sweeper runs every 10 s. */
async function pass(w: World, ms: number, heard: readonly string[] = []) {
  for (let t = 0; t < ms; t += 10_000) {
    w.clock.advance(10_000);
    for (const id of heard) w.positions.place(id, w.positions.fixes.get(id)!);
    await w.useCases.sweepReleases();
  }
}

async function markReady(w: World, orderId: string) {
  await w.useCases.applyOrderStateChanged(`ev-ready-${orderId}`, {
    ...w.store.orders.get(orderId)!,
    toState: 'READY_FOR_PICKUP',
    version: 3,
  });
}

describe('taking accepted orders back from riders who cannot pick them up', () => {
  it("gives a silent rider's order to another rider, with the customer seeing the new one", async () => {
    const w = await accepted();
    // Silence shows after the position TTL (1 min); the grace (3 min) counts from the last fix.
    await pass(w, 2 * MIN + 50_000, ['second']);
    expect(w.store.orders.get('o-1')).toMatchObject({ state: 'assigned', riderId: 'first' });
    await pass(w, 20_000, ['second']);
    expect(w.store.orders.get('o-1')).toMatchObject({ state: 'waiting', riderId: undefined });
    expect(w.store.releases).toMatchObject([{ riderId: 'first', reason: 'rider_silent', orderIds: ['o-1'] }]);
    // The silent rider is free again: not delivering, so not planned around a run they dropped.
    expect(w.store.riders.get('first')).toMatchObject({ status: 'idle', busyUntil: undefined });
    expect((await w.useCases.queueStats()).waiting).toBe(1);
    const tracking = await w.useCases.getDeliveryTracking('o-1');
    expect(tracking.ok && tracking.value.riderId).toBeUndefined();

    await w.runRound(w.zone);
    const next = w.offerOf('second')!;
    expect(next.orderIds).toEqual(['o-1']);
    expect((await w.useCases.respondToOffer('second', next.offerId, true)).ok).toBe(true);
    // The order service learns of the new rider by the same fact as of the first one.
    expect(w.store.published.map((f) => f.kind === 'rider_assigned' && f.riderId)).toEqual([
      'first',
      'second',
    ]);
    const now = await w.useCases.getDeliveryTracking('o-1');
    expect(now.ok && now.value.riderId).toBe('second');
    // The first rider, back, can no longer pick it up, and is told it was taken back.
    w.positions.place('first', at(100));
    await markReady(w, 'o-1');
    const late = await w.useCases.markPickedUp('first', 'o-1');
    expect(!late.ok && late.error.code).toBe('ORDER_RELEASED');
    // Cancelled since: that is what the rider it was taken from is told; a stranger still learns
    // nothing about it.
    await w.useCases.applyOrderStateChanged('ev-cancel', {
      ...w.store.orders.get('o-1')!,
      toState: 'CANCELLED',
      version: 9,
    });
    const cancelled = await w.useCases.markPickedUp('first', 'o-1');
    expect(!cancelled.ok && cancelled.error.code).toBe('ORDER_CANCELLED');
    const nosy = await w.useCases.markPickedUp('stranger', 'o-1');
    expect(!nosy.ok && nosy.error.code).toBe('ORDER_NOT_HELD');
  });

  it('answers a repeated accept of an offer taken back with OFFER_RELEASED, showing nothing of it', async () => {
    const w = await accepted();
    const offerId = w.store.orders.get('o-1')!.offerId!;
    const repeat = await w.useCases.respondToOffer('first', offerId, true);
    expect(repeat.ok && repeat.value.offer.orders.map((o) => o.orderId)).toEqual(['o-1']);
    await pass(w, 4 * MIN, ['second']);
    expect(w.store.orders.get('o-1')).toMatchObject({ state: 'waiting' });
    const late = await w.useCases.respondToOffer('first', offerId, true);
    expect(!late.ok && late.error.code).toBe('OFFER_RELEASED');
    await w.runRound(w.zone);
    expect((await w.useCases.respondToOffer('second', w.offerOf('second')!.offerId, true)).ok).toBe(true);
    // Re-offered to someone else: still released for the first rider, no address leaked.
    const again = await w.useCases.respondToOffer('first', offerId, true);
    expect(!again.ok && again.error.code).toBe('OFFER_RELEASED');
    // A decline of it says the same, with why, rather than "already accepted".
    const decline = await w.useCases.respondToOffer('first', offerId, false);
    expect(!decline.ok && [decline.error.code, decline.error.message]).toEqual([
      'OFFER_RELEASED',
      `the orders of offer ${offerId} were taken back and given to another rider: no position came from you for minutes`,
    ]);
  });

  it('keeps the order with a rider who keeps pinging, however long the pickup takes', async () => {
    const w = await accepted();
    await pass(w, 20 * MIN, ['first', 'second']);
    expect(w.store.orders.get('o-1')).toMatchObject({ state: 'assigned', riderId: 'first' });
    expect(w.store.releases).toEqual([]);
  });

  it('forgets a silence that ended: a rider heard again keeps the order', async () => {
    const w = await accepted();
    await pass(w, 2 * MIN + 30_000, ['second']);
    expect(w.store.riders.get('first')!.silentSince).toBeDefined();
    w.positions.place('first', at(150));
    await pass(w, 10_000, ['first', 'second']);
    expect(w.store.riders.get('first')!.silentSince).toBeUndefined();
    await pass(w, 2 * MIN, ['second']);
    expect(w.store.orders.get('o-1')!.state).toBe('assigned');
  });

  it('never takes back picked-up food; counts it for the alert instead', async () => {
    const w = await accepted();
    await markReady(w, 'o-1');
    expect((await w.useCases.markPickedUp('first', 'o-1')).ok).toBe(true);
    await pass(w, 10 * MIN, ['second']);
    expect(w.store.orders.get('o-1')).toMatchObject({ state: 'picked_up', riderId: 'first' });
    expect(await w.useCases.queueStats()).toMatchObject({ waiting: 0, pickedUpSilent: 1 });
  });

  it('takes back at once what a rider going offline has not picked up; they go offline', async () => {
    const w = await accepted();
    const off = await w.useCases.setRiderOnline({
      riderId: 'first',
      online: false,
      position: undefined,
      shiftEndsAt: undefined,
    });
    expect(off).toMatchObject({ ok: true, value: { status: 'delivering' } });
    await pass(w, 10_000, ['first', 'second']);
    expect(w.store.orders.get('o-1')!.state).toBe('waiting');
    expect(w.store.releases[0]?.reason).toBe('offline_requested');
    expect(w.store.riders.get('first')).toMatchObject({ online: false, status: 'idle' });
  });

  it('tells the rider an order was taken back: listed as released with the reason, pickup refused as released', async () => {
    const w = await accepted();
    await markReady(w, 'o-1');
    w.positions.fixes.delete('first'); // the phone died
    await pass(w, 4 * MIN, ['second']);
    expect(w.store.orders.get('o-1')!.state).toBe('waiting');
    const listed = await w.useCases.listRiderOrders('first', true);
    expect(listed.ok && listed.value).toEqual([
      expect.objectContaining({
        orderId: 'o-1',
        state: 'released',
        releaseReason: 'rider_silent',
        releasedAt: w.store.releases[0]!.at,
      }),
    ]);
    // A caller that does not know the state is not sent it.
    expect(await w.useCases.listRiderOrders('first')).toEqual({ ok: true, value: [] });
    const pickup = await w.useCases.markPickedUp('first', 'o-1');
    expect(!pickup.ok && [pickup.error.code, pickup.error.message]).toEqual([
      'ORDER_RELEASED',
      'order o-1 was taken back from you, do not collect it: no position came from you for minutes',
    ]);
    // A stranger's order is still just not theirs.
    const stranger = await w.useCases.markPickedUp('second', 'o-1');
    expect(!stranger.ok && stranger.error.code).toBe('ORDER_NOT_HELD');
    // Half an hour later it is gone from the list; the pickup is still refused as released.
    w.clock.advance(31 * MIN);
    expect(await w.useCases.listRiderOrders('first', true)).toEqual({ ok: true, value: [] });
    const late = await w.useCases.markPickedUp('first', 'o-1');
    expect(!late.ok && late.error.code).toBe('ORDER_RELEASED');
  });

  it('takes back pickups still pending past the shift end plus its grace', async () => {
    const w = await accepted(new Date(new Date('2026-11-20T12:00:00Z').getTime() + 10 * MIN));
    await pass(w, 14 * MIN, ['first', 'second']);
    expect(w.store.orders.get('o-1')!.state).toBe('assigned');
    await pass(w, MIN + 10_000, ['first', 'second']);
    expect(w.store.orders.get('o-1')!.state).toBe('waiting');
    expect(w.store.releases[0]?.reason).toBe('shift_ended');
  });

  it('does not take orders back when most riders holding them go silent at once (pings not arriving)', async () => {
    const w = createWorld();
    const ids = Array.from({ length: MASS_SILENCE.minRiders + 2 }, (_, i) => `r-${i}`);
    for (const [i, id] of ids.entries()) {
      await w.addOrder(`o-${i}`, { merchantId: `m-${i}`, pickup: at(i * 60) });
      await w.addRider(id, at(i * 60 + 20));
    }
    for (let round = 0; round < 4; round++) {
      await w.runRound(w.zone);
      for (const id of ids) {
        const offer = w.offerOf(id);
        if (offer) await w.useCases.respondToOffer(id, offer.offerId, true);
      }
    }
    const held = [...w.store.orders.values()].filter((o) => o.state === 'assigned').length;
    expect(held).toBeGreaterThanOrEqual(MASS_SILENCE.minRiders);
    // Nobody's pings arrive for 10 minutes: the index, not the riders, is the problem.
    await pass(w, 10 * MIN, []);
    expect(w.store.releases).toEqual([]);
    // One rider silent among many heard is still taken back.
    await pass(w, 4 * MIN, ids.slice(1));
    expect(w.store.releases.map((r) => [r.riderId, r.reason])).toEqual([['r-0', 'rider_silent']]);
  });

  it('does not mistake an outage of the position index for every rider going silent', async () => {
    const w = await accepted();
    w.positions.down = true;
    await pass(w, 10 * MIN, ['first', 'second']);
    expect(w.store.orders.get('o-1')!.state).toBe('assigned');
  });
});
