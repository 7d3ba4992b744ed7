import { describe, expect, it } from 'vitest';
import { at, createWorld } from '../../test/world.ts';
import { RECENT_OFFERS_LIMIT } from './dispatch-status.ts';

type World = ReturnType<typeof createWorld>;

async function status(w: World, orderId = 'o-1') {
  const res = await w.useCases.getDispatchStatus(orderId);
  if (!res.ok) throw new Error(res.error.message);
  return res.value;
}

const offersOf = async (w: World) => (await status(w)).recentOffers.map((o) => `${o.riderId}:${o.outcome}`);

describe('where an order stands in dispatch (ops)', () => {
  it('follows an order through a decline, an expiry, an accept and a release', async () => {
    const w = createWorld();
    await w.addOrder('o-1');
    expect(await status(w)).toMatchObject({ phase: 'waiting', pendingOffer: undefined, recentOffers: [] });

    // Offered to the nearest rider, who declines.
    await w.addRider('near', at(100));
    await w.runRound(w.zone);
    const first = w.offerOf('near')!;
    expect((await status(w)).pendingOffer).toMatchObject({
      offerId: first.offerId,
      riderId: 'near',
      outcome: 'pending',
      offeredAt: w.clock.now(),
      expiresAt: new Date(w.clock.now().getTime() + w.settings.offerTimeoutMs),
    });
    expect((await status(w)).phase).toBe('offered');
    w.clock.advance(5_000);
    await w.useCases.respondToOffer('near', first.offerId, false);
    expect(await status(w)).toMatchObject({ phase: 'waiting', pendingOffer: undefined });
    expect((await status(w)).recentOffers[0]).toMatchObject({ answeredAt: w.clock.now() });

    // The next rider lets it expire.
    await w.addRider('mid', at(400));
    await w.runRound(w.zone);
    w.clock.advance(w.settings.offerTimeoutMs);
    expect(await w.useCases.expireOffers()).toBe(1);

    // The third accepts: theirs, from the accept time.
    await w.addRider('far', at(800));
    await w.runRound(w.zone);
    const third = w.offerOf('far')!;
    await w.useCases.respondToOffer('far', third.offerId, true);
    expect(await status(w)).toMatchObject({ phase: 'assigned', riderId: 'far', assignedAt: w.clock.now() });
    expect(await offersOf(w)).toEqual(['far:accepted', 'mid:expired', 'near:declined']);

    // Going offline before pickup: taken back, waiting again, and the accept counts as released.
    await w.useCases.setRiderOnline({
      riderId: 'far',
      online: false,
      position: undefined,
      shiftEndsAt: undefined,
    });
    await w.useCases.sweepReleases();
    const back = await status(w);
    expect(back).toMatchObject({ phase: 'waiting', riderId: undefined });
    expect(back.recentOffers[0]).toMatchObject({ outcome: 'released', releaseReason: 'offline_requested' });
    expect(back.offerCounts).toEqual({
      accepted: 0,
      released: 1,
      declined: 1,
      declined_going_offline: 0,
      expired: 1,
      withdrawn: 0,
    });
  });

  it('counts a rider going offline with the offer pending apart from a rider’s decline', async () => {
    const w = createWorld();
    await w.addOrder('o-1');
    await w.addRider('r-1');
    await w.runRound(w.zone);
    await w.useCases.setRiderOnline({
      riderId: 'r-1',
      online: false,
      position: undefined,
      shiftEndsAt: undefined,
    });
    expect((await status(w)).offerCounts).toMatchObject({ declined: 0, declined_going_offline: 1 });
    expect(await offersOf(w)).toEqual(['r-1:declined_going_offline']);
  });

  it('lists the latest offers only, and counts them all', async () => {
    const w = createWorld({ declineCooldownMs: 1 });
    await w.addOrder('o-1');
    await w.addRider('r-1');
    for (let i = 0; i < RECENT_OFFERS_LIMIT + 5; i++) {
      await w.runRound(w.zone);
      await w.useCases.respondToOffer('r-1', w.offerOf('r-1')!.offerId, false);
      w.clock.advance(1_000); // past the cooldown: offered to the same rider again
    }
    const s = await status(w);
    expect(s.recentOffers).toHaveLength(RECENT_OFFERS_LIMIT);
    expect(s.offerCounts.declined).toBe(RECENT_OFFERS_LIMIT + 5);
    // Newest first.
    const times = s.recentOffers.map((o) => o.offeredAt.getTime());
    expect(times).toEqual([...times].sort((a, b) => b - a));
  });

  it('answers ORDER_NOT_FOUND for an order dispatch never saw, INVALID_ARGUMENT without an id', async () => {
    const w = createWorld();
    const unknown = await w.useCases.getDispatchStatus('o-unknown');
    expect(!unknown.ok && [unknown.error.kind, unknown.error.code]).toEqual(['not_found', 'ORDER_NOT_FOUND']);
    const none = await w.useCases.getDispatchStatus(' ');
    expect(!none.ok && none.error.code).toBe('INVALID_ARGUMENT');
  });

  it('answers ORDER_NOT_FOUND for a finished order purged after retention, saying it may have been', async () => {
    const w = createWorld();
    await w.addOrder('o-1');
    await w.useCases.applyOrderStateChanged('ev-cancel', {
      ...w.store.orders.get('o-1')!,
      toState: 'CANCELLED',
      version: 3,
    });
    expect((await status(w)).phase).toBe('cancelled');
    w.clock.advance(2 * 3_600_000);
    expect(await w.useCases.purgeFinished(1)).toBeGreaterThan(0);
    const gone = await w.useCases.getDispatchStatus('o-1');
    expect(!gone.ok && [gone.error.code, gone.error.message]).toEqual([
      'ORDER_NOT_FOUND',
      'dispatch knows no order o-1 (not accepted yet, or finished and purged after retention?)',
    ]);
  });

  it.each([
    ['accepts', true],
    ['declines', false],
  ])(
    'a bundle order cancelled while offered is withdrawn, and nobody’s, when the rider then %s the rest',
    async (_, accept) => {
      const w = createWorld();
      await w.addOrder('o-1', { merchantId: 'm-1', dropoff: at(1_500, 500) });
      await w.addOrder('o-2', { merchantId: 'm-1', dropoff: at(1_550, 520) });
      await w.addRider('r-1', at(100));
      await w.runRound(w.zone);
      const offer = w.offerOf('r-1')!;
      expect([...offer.orderIds].sort()).toEqual(['o-1', 'o-2']); // one bundle
      await w.useCases.applyOrderStateChanged('ev-cancel', {
        ...w.store.orders.get('o-1')!,
        toState: 'CANCELLED',
        version: 3,
      });
      const cancelledAt = w.clock.now();
      w.clock.advance(5_000);
      await w.useCases.respondToOffer('r-1', offer.offerId, accept);

      const s = await status(w, 'o-1');
      expect(s).toMatchObject({ phase: 'cancelled', riderId: undefined, assignedAt: undefined, cancelledAt });
      expect(s.recentOffers.map((o) => [o.outcome, o.answeredAt])).toEqual([['withdrawn', cancelledAt]]);
      expect(s.offerCounts).toMatchObject({ accepted: 0, declined: 0, withdrawn: 1 });
      // The other order took the answer.
      const other = await status(w, 'o-2');
      expect(other.recentOffers[0]?.outcome).toBe(accept ? 'accepted' : 'declined');
      expect(other.riderId).toBe(accept ? 'r-1' : undefined);
    },
  );

  it('shows an offer past its expiry as the expiry sweeper will leave it', async () => {
    const w = createWorld();
    await w.addOrder('o-1');
    await w.addRider('r-1');
    await w.runRound(w.zone);
    const offer = w.offerOf('r-1')!;
    w.clock.advance(w.settings.offerTimeoutMs);
    const before = await status(w);
    // An accept now is refused as expired: the view says so too, before the sweep.
    const accept = await w.useCases.respondToOffer('r-1', offer.offerId, true);
    expect(!accept.ok && accept.error.code).toBe('OFFER_EXPIRED');
    expect(before).toMatchObject({ phase: 'waiting', pendingOffer: undefined, offerCounts: { expired: 1 } });
    expect(before.recentOffers.map((o) => o.outcome)).toEqual(['expired']);
    // The refused accept recorded the expiry, as the sweeper does: the same view.
    const after = await status(w);
    expect(after.phase).toBe(before.phase);
    expect(after.offerCounts).toEqual(before.offerCounts);
    expect(after.recentOffers.map((o) => o.outcome)).toEqual(['expired']);
  });

  it('shows a customer’s cancellation in flight, then the cancellation', async () => {
    const w = createWorld();
    await w.addOrder('o-1');
    await w.useCases.holdForCancellation('o-1', false);
    const held = await status(w);
    expect(held.cancelHoldUntil!.getTime()).toBeGreaterThan(w.clock.now().getTime());
    await w.useCases.applyOrderStateChanged('ev-cancel', {
      ...w.store.orders.get('o-1')!,
      toState: 'CANCELLED',
      version: 3,
    });
    expect(await status(w)).toMatchObject({ phase: 'cancelled', cancelHoldUntil: undefined });
  });
});
