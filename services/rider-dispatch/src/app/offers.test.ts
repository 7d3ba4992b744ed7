import { describe, expect, it } from 'vitest';
import { at, createWorld } from '../../test/world.ts';

async function offered() {
  const w = createWorld();
  await w.addOrder('o-1');
  await w.addRider('first', at(100));
  await w.addRider('second', at(600));
  await w.runRound(w.zone);
  const offer = w.offerOf('first')!;
  return { w, offer };
}

describe('offers', () => {
  it('shows the pending offer to its rider only, with where each order goes', async () => {
    const { w, offer } = await offered();
    const { dropoff, expectedReadyAt } = w.store.orders.get('o-1')!;
    expect(await w.useCases.getOffer('first')).toEqual({
      ok: true,
      value: {
        ...offer,
        orders: [
          {
            orderId: 'o-1',
            sequence: 0,
            dropoff,
            dropoffAddress: 'Drop-off of o-1',
            cancelled: false,
            // Where to collect it and whether the kitchen is done (accepted, not marked ready yet).
            merchantId: 'm-o-1',
            merchantName: 'Kitchen of o-1',
            pickupAddress: 'Pickup of o-1',
            ready: false,
            expectedReadyAt,
          },
        ],
      },
    });
    expect(await w.useCases.getOffer('second')).toEqual({ ok: true, value: undefined });
  });

  it('offers an order whose snapshots name no restaurant (an older order service) without one', async () => {
    const w = createWorld();
    await w.addOrder('o-1', { merchantName: '', pickupAddress: '' });
    await w.addRider('first', at(100));
    await w.runRound(w.zone);
    const offer = await w.useCases.getOffer('first');
    expect(offer.ok && offer.value?.orders).toMatchObject([
      { orderId: 'o-1', merchantId: 'm-o-1', merchantName: '', pickupAddress: '' },
    ]);
  });

  it('answers an accept or decline with the drop-offs too', async () => {
    const { w, offer } = await offered();
    const stop = { orderId: 'o-1', sequence: 0, dropoffAddress: 'Drop-off of o-1' };
    expect(await w.useCases.respondToOffer('first', offer.offerId, true)).toMatchObject({
      ok: true,
      value: { offer: { orders: [stop] } },
    });
    const other = await offered();
    // Declined orders are back to waiting (no longer the offer's), yet the answer still says where they went.
    expect(await other.w.useCases.respondToOffer('first', other.offer.offerId, false)).toMatchObject({
      ok: true,
      value: { offer: { orders: [stop] } },
    });
  });

  it('re-offers a declined order to someone else, never back to the decliner during the cooldown', async () => {
    const { w, offer } = await offered();
    expect(await w.useCases.respondToOffer('first', offer.offerId, false)).toMatchObject({
      ok: true,
      value: { accepted: false },
    });
    expect(w.store.riders.get('first')!.status).toBe('idle');
    await w.runRound(w.zone);
    expect(w.offerOf('second')?.orderIds).toEqual(['o-1']);
    expect(w.offerOf('first')).toBeUndefined();
  });

  it('treats an offer nobody answered like a decline', async () => {
    const { w } = await offered();
    w.clock.advance(30_000);
    expect(await w.useCases.expireOffers()).toBe(1);
    await w.runRound(w.zone);
    expect(w.offerOf('second')?.orderIds).toEqual(['o-1']);
  });

  it('accepts: orders assigned, rider delivering, RiderAssigned published with the pickup ETA', async () => {
    const { w, offer } = await offered();
    const accepted = await w.useCases.respondToOffer('first', offer.offerId, true);
    expect(accepted).toMatchObject({ ok: true, value: { accepted: true, offer: { status: 'accepted' } } });
    expect(w.store.orders.get('o-1')!.state).toBe('assigned');
    expect(w.store.riders.get('first')).toMatchObject({ status: 'delivering' });
    const [fact] = w.store.published;
    expect(fact).toMatchObject({ kind: 'rider_assigned', orderId: 'o-1', riderId: 'first', sequence: 0 });
    // 100 m at 5 m/s plus half the pickup service: food is ready, so pickup in 140 s.
    const eta = fact?.kind === 'rider_assigned' ? fact.etaPickup.getTime() - w.clock.now().getTime() : 0;
    expect(eta).toBeCloseTo(140_000, -2);
    // A repeated accept (app retry) is harmless and publishes nothing more.
    expect((await w.useCases.respondToOffer('first', offer.offerId, true)).ok).toBe(true);
    expect(w.store.published).toHaveLength(1);
  });

  it('refuses answers that come too late, twice differently, or from another rider', async () => {
    const { w, offer } = await offered();
    const code = async (rider: string, id: string, accept: boolean) => {
      const r = await w.useCases.respondToOffer(rider, id, accept);
      return r.ok ? 'ok' : r.error.code;
    };
    expect(await code('second', offer.offerId, true)).toBe('OFFER_NOT_FOUND');
    expect(await code('first', 'not-a-uuid', true)).toBe('OFFER_NOT_FOUND');
    expect(await code('', offer.offerId, true)).toBe('INVALID_ARGUMENT');
    w.clock.advance(31_000);
    expect(await code('first', offer.offerId, true)).toBe('OFFER_EXPIRED');
    expect(w.store.orders.get('o-1')!.state).toBe('waiting');
  });

  it('withdraws the offer and frees the rider when its only order is cancelled', async () => {
    const { w, offer } = await offered();
    await w.useCases.applyOrderStateChanged('ev-cancel', {
      ...w.store.orders.get('o-1')!,
      toState: 'CANCELLED',
      version: 3,
    });
    expect(w.store.offers.get(offer.offerId)!.status).toBe('withdrawn');
    expect(w.store.riders.get('first')!.status).toBe('idle');
    const late = await w.useCases.respondToOffer('first', offer.offerId, true);
    expect(!late.ok && late.error.code).toBe('OFFER_WITHDRAWN');
  });
});
