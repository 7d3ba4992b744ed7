import { describe, expect, it } from 'vitest';
import { at, createWorld } from '../../test/world.ts';

describe('delivery tracking', () => {
  it('estimates an unassigned order from readiness and the direct ride, without a rider', async () => {
    const w = createWorld();
    await w.addOrder('o-1', { readyInS: 900, dropoff: at(1_500) });
    const result = await w.useCases.getDeliveryTracking('o-1');
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value.riderId).toBeUndefined();
    // ready in 900 s, half pickup 120 s, 1,500 m at 5 m/s, half drop-off 120 s
    expect((result.value.eta!.getTime() - w.clock.now().getTime()) / 1000).toBeCloseTo(
      900 + 120 + 300 + 120,
      3,
    );
  });

  it('follows the rider: through the restaurant before pickup, straight to the customer after', async () => {
    const w = createWorld();
    await w.addOrder('o-1', { dropoff: at(1_500) });
    await w.addRider('r-1', at(-500));
    await w.runRound(w.zone);
    await w.useCases.respondToOffer('r-1', w.offerOf('r-1')!.offerId, true);
    const before = await w.useCases.getDeliveryTracking('o-1');
    expect(before).toMatchObject({ ok: true, value: { riderId: 'r-1', positionAt: w.clock.now() } });
    const secs = (r: typeof before) =>
      r.ok ? (r.value.eta!.getTime() - w.clock.now().getTime()) / 1000 : NaN;
    // 500 m to the restaurant, the food is ready: 100 + 120 + 120 + 300 + 120
    expect(secs(before)).toBeCloseTo(760, 3);
    await w.useCases.applyOrderStateChanged('ev-r', {
      ...w.store.orders.get('o-1')!,
      toState: 'READY_FOR_PICKUP',
      version: 3,
    });
    await w.useCases.markPickedUp('r-1', 'o-1');
    w.positions.place('r-1', at(1_000));
    expect(secs(await w.useCases.getDeliveryTracking('o-1'))).toBeCloseTo(100 + 120, 3);
  });

  it('answers with the delivery time once delivered, and errors for unknown or cancelled orders', async () => {
    const w = createWorld();
    expect(await w.useCases.getDeliveryTracking('nope')).toMatchObject({
      ok: false,
      error: { code: 'ORDER_NOT_FOUND' },
    });
    await w.addOrder('o-1');
    await w.useCases.applyOrderStateChanged('ev-c', {
      ...w.store.orders.get('o-1')!,
      toState: 'CANCELLED',
      version: 3,
    });
    expect(await w.useCases.getDeliveryTracking('o-1')).toMatchObject({
      ok: false,
      error: { code: 'ORDER_CANCELLED' },
    });
  });
});

describe('order events', () => {
  it('applies an event once and ignores snapshots older than the one applied', async () => {
    const w = createWorld();
    expect(await w.addOrder('o-1')).toBe('insert');
    const order = w.store.orders.get('o-1')!;
    const ready = { ...order, toState: 'READY_FOR_PICKUP' as const, version: 3 };
    expect(await w.useCases.applyOrderStateChanged('ev-3', ready)).toBe('refresh');
    expect(await w.useCases.applyOrderStateChanged('ev-3', ready)).toBe('duplicate');
    expect(
      await w.useCases.applyOrderStateChanged('ev-2-again', { ...order, toState: 'ACCEPTED', version: 2 }),
    ).toBe('ignore');
    expect(w.store.orders.get('o-1')).toMatchObject({ ready: true, version: 3, zone: w.zone });
  });

  it('never offers an order cancelled before dispatch saw it, when its older ACCEPTED comes after', async () => {
    const w = createWorld();
    await w.addRider('r-1');
    await w.addOrder('o-other');
    const accepted = w.store.orders.get('o-other')!;
    const facts = { ...accepted, orderId: 'o-late' };
    // A dead-letter replay of ACCEPTED (v2) lands after the cancellation (v3) was applied.
    expect(
      await w.useCases.applyOrderStateChanged('ev-c', { ...facts, toState: 'CANCELLED', version: 3 }),
    ).toBe('tombstone');
    expect(
      await w.useCases.applyOrderStateChanged('ev-a', { ...facts, toState: 'ACCEPTED', version: 2 }),
    ).toBe('ignore');
    expect(w.store.orders.get('o-late')).toMatchObject({ state: 'cancelled', version: 3 });
    expect(await w.useCases.queueStats()).toMatchObject({ waiting: 1 }); // o-other only
    await w.runRound(w.zone);
    expect(w.offerOf('r-1')?.orderIds).toEqual(['o-other']);
    expect(await w.useCases.getDeliveryTracking('o-late')).toMatchObject({
      ok: false,
      error: { code: 'ORDER_CANCELLED' },
    });
    // Retention forgets it like any cancelled order.
    w.clock.advance(9 * 24 * 3_600_000);
    await w.useCases.purgeFinished(192, 100);
    expect(w.store.orders.has('o-late')).toBe(false);
  });
});
