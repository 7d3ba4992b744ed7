import { describe, expect, it } from 'vitest';
import { createLogger } from '@mealpeak/telemetry';
import { at, createWorld } from '../../test/world.ts';
import { createDeliveryUseCases } from './deliveries.ts';

async function assigned(overrides: Parameters<typeof createWorld>[0] = {}) {
  const w = createWorld(overrides);
  await w.addOrder('o-1');
  await w.addRider('r-1', at(100));
  await w.runRound(w.zone);
  await w.useCases.respondToOffer('r-1', w.offerOf('r-1')!.offerId, true);
  return w;
}
const code = (r: { ok: boolean; error?: { code: string } }) => (r.ok ? 'ok' : r.error!.code);
const ready = (w: Awaited<ReturnType<typeof assigned>>) =>
  w.useCases.applyOrderStateChanged('ev-ready', {
    ...w.store.orders.get('o-1')!,
    toState: 'READY_FOR_PICKUP',
    version: 3,
  });

describe('pickup and delivery', () => {
  it('refuses a pickup before the merchant marked the order ready, then publishes it once', async () => {
    const w = await assigned();
    expect(code(await w.useCases.markPickedUp('r-1', 'o-1'))).toBe('ORDER_NOT_READY');
    await ready(w);
    expect(code(await w.useCases.markPickedUp('r-1', 'o-1'))).toBe('ok');
    expect(code(await w.useCases.markPickedUp('r-1', 'o-1'))).toBe('ok');
    expect(w.store.published.filter((f) => f.kind === 'picked_up')).toHaveLength(1);
  });

  it('delivers only after pickup and makes the rider idle after the last drop-off', async () => {
    const w = await assigned();
    await ready(w);
    expect(code(await w.useCases.markDelivered('r-1', 'o-1'))).toBe('ORDER_NOT_PICKED_UP');
    await w.useCases.markPickedUp('r-1', 'o-1');
    expect(code(await w.useCases.markDelivered('r-1', 'o-1'))).toBe('ok');
    expect(w.store.riders.get('r-1')!.status).toBe('idle');
    expect(w.store.published.map((f) => f.kind)).toEqual(['rider_assigned', 'picked_up', 'delivered']);
  });

  it('refuses a rider who does not hold the order', async () => {
    const w = await assigned();
    await ready(w);
    expect(code(await w.useCases.markPickedUp('someone-else', 'o-1'))).toBe('ORDER_NOT_HELD');
    expect(code(await w.useCases.markPickedUp('r-1', 'unknown'))).toBe('ORDER_NOT_FOUND');
  });

  it('frees the rider when the order they carry is cancelled', async () => {
    const w = await assigned();
    await w.useCases.applyOrderStateChanged('ev-c', {
      ...w.store.orders.get('o-1')!,
      toState: 'CANCELLED',
      version: 4,
    });
    expect(w.store.riders.get('r-1')!.status).toBe('idle');
    expect(code(await w.useCases.markPickedUp('r-1', 'o-1'))).toBe('ORDER_CANCELLED');
  });

  describe('where the rider was (handover check)', () => {
    const handovers = (w: Awaited<ReturnType<typeof assigned>>) =>
      w.store.published.flatMap((f) => (f.kind === 'picked_up' || f.kind === 'delivered' ? [f] : []));
    const dropoff = at(1_500, 500);

    async function pickedUp(mode: 'flag' | 'enforce') {
      const w = await assigned({ handover: { mode, maxDistanceM: 300 } });
      await ready(w);
      w.positions.place('r-1', at(50)); // at the restaurant (the zone's centre)
      expect(code(await w.useCases.markPickedUp('r-1', 'o-1'))).toBe('ok');
      return w;
    }

    it('flags a delivery reported far from the drop-off, and still delivers', async () => {
      const w = await pickedUp('flag');
      w.positions.place('r-1', at(200)); // still by the restaurant, ~1.4 km from the door
      expect(code(await w.useCases.markDelivered('r-1', 'o-1'))).toBe('ok');
      expect(w.store.orders.get('o-1')!.state).toBe('delivered');
      const [pickup, delivery] = handovers(w);
      expect(pickup!.handover).toEqual({ verdict: 'near', distanceM: 50, fixAgeS: 0 });
      expect(delivery!.handover).toMatchObject({ verdict: 'far', fixAgeS: 0 });
      expect(delivery!.handover!.distanceM).toBeGreaterThan(1_300);
    });

    it('with enforce refuses it, changes and publishes nothing, and takes it from the door', async () => {
      const w = await pickedUp('enforce');
      w.positions.place('r-1', at(200));
      const far = await w.useCases.markDelivered('r-1', 'o-1');
      expect(far).toMatchObject({ ok: false, error: { code: 'NOT_AT_DROPOFF', kind: 'conflict' } });
      expect(w.store.orders.get('o-1')!.state).toBe('picked_up');
      expect(handovers(w).map((f) => f.kind)).toEqual(['picked_up']);

      w.clock.advance(5_000);
      w.positions.place('r-1', { lat: dropoff.lat + 0.0005, lng: dropoff.lng }); // ~56 m away
      expect(code(await w.useCases.markDelivered('r-1', 'o-1'))).toBe('ok');
      expect(handovers(w)[1]!.handover).toEqual({ verdict: 'near', distanceM: 56, fixAgeS: 0 });
    });

    it('with enforce refuses a pickup far from the restaurant too', async () => {
      const w = await assigned({ handover: { mode: 'enforce', maxDistanceM: 300 } });
      await ready(w);
      w.positions.place('r-1', at(-2_000));
      expect(await w.useCases.markPickedUp('r-1', 'o-1')).toMatchObject({
        ok: false,
        error: { code: 'NOT_AT_PICKUP' },
      });
      expect(w.store.orders.get('o-1')!.state).toBe('assigned');
    });

    it('lets a rider without a fresh position through, unverified, even when enforcing', async () => {
      const w = await pickedUp('enforce');
      w.clock.advance(61_000); // the last fix is older than the position TTL
      expect(code(await w.useCases.markDelivered('r-1', 'o-1'))).toBe('ok');
      expect(handovers(w)[1]!.handover).toEqual({ verdict: 'unverified' });
    });

    it('lets the handover through unverified while the position index is unreadable', async () => {
      const w = await pickedUp('enforce');
      w.positions.place('r-1', at(200));
      w.positions.down = true;
      expect(code(await w.useCases.markDelivered('r-1', 'o-1'))).toBe('ok');
      expect(handovers(w)[1]!.handover).toEqual({ verdict: 'unverified' });
    });

    it('judges nothing with the check off, and a repeat is not judged again', async () => {
      const off = await assigned({ handover: { mode: 'off', maxDistanceM: 300 } });
      await ready(off);
      expect(code(await off.useCases.markPickedUp('r-1', 'o-1'))).toBe('ok');
      expect(handovers(off)[0]!.handover).toBeUndefined();

      const w = await pickedUp('enforce');
      w.positions.place('r-1', at(-2_000)); // far from the restaurant now
      expect(code(await w.useCases.markPickedUp('r-1', 'o-1'))).toBe('ok'); // a repeat: harmless
      expect(handovers(w)).toHaveLength(1);
    });
  });
});

describe('counting handovers', () => {
  it('counts what the judge decided last, once, even when the store ran it twice (a retry)', async () => {
    const w = await assigned();
    await ready(w);
    w.positions.place('r-1', at(50));
    const counted: [string, string, boolean][] = [];
    const store = Object.create(w.store) as typeof w.store;
    let attempts = 0;
    store.markPickedUp = async (orderId, riderId, now, judge) => {
      if (attempts++ === 0) judge(at(5_000)); // a first attempt, rolled back by a deadlock, retried
      return w.store.markPickedUp(orderId, riderId, now, judge);
    };
    const uc = createDeliveryUseCases({
      store,
      positions: w.positions,
      clock: w.clock,
      settings: { handover: { mode: 'flag', maxDistanceM: 300 } },
      logger: createLogger({ service: 'test', level: 'silent' }),
      onHandover: (step, check, refused) => counted.push([step, check.verdict, refused]),
    });
    expect((await uc.markPickedUp('r-1', 'o-1')).ok).toBe(true);
    expect(counted).toEqual([['pickup', 'near', false]]);
    // A repeat is not judged and counts nothing.
    expect((await uc.markPickedUp('r-1', 'o-1')).ok).toBe(true);
    expect(counted).toHaveLength(1);
  });
});
