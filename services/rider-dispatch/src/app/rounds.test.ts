import { describe, expect, it } from 'vitest';
import { at, createWorld } from '../../test/world.ts';

describe('dispatch rounds (use cases over in-memory fakes)', () => {
  it('offers a ready order to the nearest idle rider, with an expiry', async () => {
    const w = createWorld();
    await w.addOrder('o-1');
    await w.addRider('near', at(200));
    await w.addRider('far', at(-2_500));
    const report = await w.runRound(w.zone);
    expect(report).toMatchObject({ orders: 1, riders: 2, offers: 1, conflicts: 0 });
    const offer = w.offerOf('near');
    expect(offer).toMatchObject({ orderIds: ['o-1'], status: 'pending' });
    expect(offer!.expiresAt.getTime() - w.clock.now().getTime()).toBe(30_000);
    expect(w.store.riders.get('near')!.status).toBe('offered');
    expect(w.store.orders.get('o-1')!.state).toBe('offered');
  });

  it('holds an order whose food is far from ready until the rider must leave', async () => {
    const w = createWorld();
    await w.addOrder('o-1', { readyInS: 30 * 60 });
    await w.addRider('r-1');
    expect((await w.runRound(w.zone)).offers).toBe(0);
    w.clock.advance(29 * 60_000);
    w.positions.place('r-1', at(300)); // still pinging
    expect((await w.runRound(w.zone)).offers).toBe(1);
  });

  it('ignores riders who are offline, silent, out of shift, or too far from the zone', async () => {
    const w = createWorld();
    await w.addOrder('o-1');
    await w.addRider('offline');
    await w.useCases.setRiderOnline({
      riderId: 'offline',
      online: false,
      position: undefined,
      shiftEndsAt: undefined,
    });
    await w.addRider('silent');
    w.positions.place('silent', at(100), w.clock.now().getTime() - 61_000);
    await w.addRider('far', at(9_000));
    expect((await w.runRound(w.zone)).offers).toBe(0);
  });

  it('never assigns a rider or an order twice when two replicas run the same zone at once', async () => {
    const w = createWorld();
    for (let i = 0; i < 30; i++)
      await w.addOrder(`o-${i}`, { pickup: at(i * 40, i * 20), merchantId: `m-${i % 7}` });
    for (let i = 0; i < 20; i++) await w.addRider(`r-${i}`, at(i * 50, -i * 30));
    const [a, b] = [w.runner('a'), w.runner('b')];
    // Both read the same snapshot before either claims: the claim has to sort them out.
    const reports = await Promise.all([a(w.zone), b(w.zone), a(w.zone), b(w.zone)]);
    const offers = [...w.store.offers.values()];
    const riders = offers.map((o) => o.riderId);
    const orders = offers.flatMap((o) => o.orderIds);
    expect(new Set(riders).size).toBe(riders.length);
    expect(new Set(orders).size).toBe(orders.length);
    expect(riders).toHaveLength(20);
    expect(reports.reduce((n, r) => n + r.conflicts, 0)).toBeGreaterThan(0);
  });
});
