import { describe, expect, it } from 'vitest';
import { at, createWorld } from '../../test/world.ts';

/** A rider with o-1 accepted (and a second rider nearby); o-2 waits ready in the same zone. */
async function run() {
  const w = createWorld();
  await w.addOrder('o-1', { dropoff: at(1_200), dropoffAddress: 'Nanjing Rd 1' });
  await w.addRider('r-1', at(100));
  await w.runRound(w.zone);
  const offer = w.offerOf('r-1')!;
  await w.useCases.respondToOffer('r-1', offer.offerId, true);
  return { w, offer, acceptedAt: w.clock.now() };
}
const event = (
  w: ReturnType<typeof createWorld>,
  orderId: string,
  toState: 'READY_FOR_PICKUP' | 'CANCELLED',
  version: number,
) =>
  w.useCases.applyOrderStateChanged(`ev-${orderId}-${toState}`, {
    ...w.store.orders.get(orderId)!,
    toState,
    version,
  });
const ids = async (w: ReturnType<typeof createWorld>, riderId: string) => {
  const r = await w.useCases.listRiderOrders(riderId);
  return r.ok ? r.value.map((o) => `${o.orderId}:${o.state}`) : r.error.code;
};

describe("the rider's run", () => {
  it('lists an accepted order with its pickup, drop-off, address and times, to its rider only', async () => {
    const { w, offer, acceptedAt } = await run();
    expect(await w.useCases.listRiderOrders('r-1')).toEqual({
      ok: true,
      value: [
        {
          orderId: 'o-1',
          state: 'assigned',
          offerId: offer.offerId,
          sequence: 0,
          pickup: w.store.orders.get('o-1')!.pickup,
          dropoff: at(1_200),
          dropoffAddress: 'Nanjing Rd 1',
          merchantId: 'm-o-1',
          merchantName: 'Kitchen of o-1',
          pickupAddress: 'Pickup of o-1',
          ready: false,
          expectedReadyAt: w.store.orders.get('o-1')!.expectedReadyAt,
          assignedAt: acceptedAt,
          pickedUpAt: undefined,
          cancelledAt: undefined,
        },
      ],
    });
    expect(await ids(w, 'r-2')).toEqual([]);
    expect(await ids(w, '')).toBe('INVALID_ARGUMENT');
  });

  it('does not list an order only offered, and drops it once delivered', async () => {
    const w = createWorld();
    await w.addOrder('o-1');
    await w.addRider('r-1', at(100));
    await w.runRound(w.zone);
    expect(await ids(w, 'r-1')).toEqual([]);
    await w.useCases.respondToOffer('r-1', w.offerOf('r-1')!.offerId, true);
    await event(w, 'o-1', 'READY_FOR_PICKUP', 3);
    w.clock.advance(60_000);
    await w.useCases.markPickedUp('r-1', 'o-1');
    const picked = await w.useCases.listRiderOrders('r-1');
    expect(picked.ok && picked.value[0]).toMatchObject({
      state: 'picked_up',
      pickedUpAt: w.clock.now(),
      ready: true,
    });
    await w.useCases.markDelivered('r-1', 'o-1');
    expect(await ids(w, 'r-1')).toEqual([]);
  });

  it('does not list an order cancelled while only offered, when the rest of the offer is accepted', async () => {
    const w = createWorld();
    await w.addOrder('o-1', { merchantId: 'm-1', dropoff: at(1_500, 500) });
    await w.addOrder('o-2', { merchantId: 'm-1', dropoff: at(1_550, 520) });
    await w.addRider('r-1', at(100));
    await w.runRound(w.zone);
    const offer = w.offerOf('r-1')!;
    expect([...offer.orderIds].sort()).toEqual(['o-1', 'o-2']); // one bundle
    await event(w, 'o-2', 'CANCELLED', 3);
    w.clock.advance(10_000);
    await w.useCases.respondToOffer('r-1', offer.offerId, true);
    expect(await ids(w, 'r-1')).toEqual(['o-1:assigned']);
  });

  it('shows an order cancelled in the rider’s hands as cancelled for 30 minutes', async () => {
    const { w } = await run();
    w.clock.advance(120_000);
    await event(w, 'o-1', 'CANCELLED', 3);
    const cancelled = await w.useCases.listRiderOrders('r-1');
    expect(cancelled.ok && cancelled.value[0]).toMatchObject({
      state: 'cancelled',
      cancelledAt: w.clock.now(),
    });
    w.clock.advance(30 * 60_000);
    expect(await ids(w, 'r-1')).toEqual(['o-1:cancelled']);
    w.clock.advance(1);
    expect(await ids(w, 'r-1')).toEqual([]);
  });
});
