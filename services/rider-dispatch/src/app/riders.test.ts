import { describe, expect, it } from 'vitest';
import { at, createWorld } from '../../test/world.ts';
import { MAX_SHIFT_MS } from './riders.ts';

const online = (riderId: string, extra: object = {}) => ({
  riderId,
  online: true,
  position: at(100),
  shiftEndsAt: undefined,
  ...extra,
});
const offline = (riderId: string) => ({
  riderId,
  online: false,
  position: undefined,
  shiftEndsAt: undefined,
});

describe('riders going online and offline', () => {
  it('goes online with a position and a default shift, and offline at once when idle', async () => {
    const w = createWorld();
    expect(await w.useCases.setRiderOnline(online('r-1'))).toMatchObject({
      ok: true,
      value: { online: true, status: 'idle', leaving: false, offerable: true },
    });
    expect(w.store.riders.get('r-1')!.shiftEndsAt.getTime() - w.clock.now().getTime()).toBe(8 * 3_600_000);
    expect(await w.positions.get('r-1')).toBeDefined();
    expect(await w.useCases.setRiderOnline(offline('r-1'))).toMatchObject({
      ok: true,
      value: { online: false, status: 'idle', offerable: false, reason: 'offline' },
    });
    expect(await w.positions.get('r-1')).toBeUndefined();
  });

  it('rejects a bad position or a shift already over or without end, naming the fields', async () => {
    const w = createWorld();
    const result = await w.useCases.setRiderOnline(
      online('r-1', { position: { lat: 123, lng: 0 }, shiftEndsAt: new Date(w.clock.now().getTime() - 1) }),
    );
    expect(!result.ok && result.error.fields?.map((f) => f.field)).toEqual(['position.lat', 'shiftEndsAt']);
    expect(w.store.riders.size).toBe(0);
    const endless = await w.useCases.setRiderOnline(
      online('r-1', { shiftEndsAt: new Date(w.clock.now().getTime() + MAX_SHIFT_MS + 1) }),
    );
    expect(!endless.ok && endless.error.fields).toEqual([
      { field: 'shiftEndsAt', message: 'must be within 16 hours from now' },
    ]);
    expect(
      (
        await w.useCases.setRiderOnline(
          online('r-1', { shiftEndsAt: new Date(w.clock.now().getTime() + MAX_SHIFT_MS) }),
        )
      ).ok,
    ).toBe(true);
  });

  it('declines a pending offer when going offline, so the order goes to someone else', async () => {
    const w = createWorld();
    await w.addOrder('o-1');
    await w.addRider('r-1', at(100));
    await w.runRound(w.zone);
    expect(await w.useCases.setRiderOnline(offline('r-1'))).toMatchObject({
      ok: true,
      value: { online: false },
    });
    expect(w.store.orders.get('o-1')!.state).toBe('waiting');
    expect(w.offerOf('r-1')).toBeUndefined();
  });

  it('tells a late accept the offer was declined when the rider went offline, not by the rider', async () => {
    const w = createWorld();
    await w.addOrder('o-1');
    await w.addRider('r-1', at(100));
    await w.runRound(w.zone);
    const offerId = w.offerOf('r-1')!.offerId;
    await w.useCases.setRiderOnline(offline('r-1'));
    const late = await w.useCases.respondToOffer('r-1', offerId, true);
    expect(!late.ok && [late.error.code, late.error.message]).toEqual([
      'OFFER_ALREADY_ANSWERED',
      `offer ${offerId} was declined when you went offline`,
    ]);
    // The rider's own decline is told as such.
    await w.addRider('r-1', at(100));
    await w.addOrder('o-2');
    await w.runRound(w.zone);
    const second = w.offerOf('r-1')!.offerId;
    await w.useCases.respondToOffer('r-1', second, false);
    const changed = await w.useCases.respondToOffer('r-1', second, true);
    expect(!changed.ok && changed.error.message).toBe(`offer ${second} was already declined by you`);
  });

  it('while delivering, stays online until the last drop-off, with no new offers meanwhile', async () => {
    const w = createWorld();
    await w.addOrder('o-1');
    await w.addRider('r-1', at(100));
    await w.runRound(w.zone);
    await w.useCases.respondToOffer('r-1', w.offerOf('r-1')!.offerId, true);
    expect(await w.useCases.setRiderOnline(offline('r-1'))).toMatchObject({
      ok: true,
      value: { online: true, status: 'delivering', leaving: true, reason: 'leaving' },
    });
    await w.addOrder('o-2');
    expect(await w.store.dispatchableRiders(['r-1'], w.clock.now())).toEqual([]);
    await w.useCases.applyOrderStateChanged('ev-r', {
      ...w.store.orders.get('o-1')!,
      toState: 'READY_FOR_PICKUP',
      version: 3,
    });
    await w.useCases.markPickedUp('r-1', 'o-1');
    await w.useCases.markDelivered('r-1', 'o-1');
    expect(w.store.riders.get('r-1')).toMatchObject({
      online: false,
      status: 'idle',
      offlineRequested: false,
    });
  });

  it('keeps "offline after deliveries" when a restarted app goes online again, unless it asks to stay', async () => {
    const w = createWorld();
    await w.addOrder('o-1');
    await w.addRider('r-1', at(100));
    await w.runRound(w.zone);
    await w.useCases.respondToOffer('r-1', w.offerOf('r-1')!.offerId, true);
    await w.useCases.setRiderOnline(offline('r-1'));
    // The app restarted and re-sends its last shift call: still leaving, still no new offers.
    expect(await w.useCases.setRiderOnline(online('r-1'))).toMatchObject({
      ok: true,
      value: { online: true, status: 'delivering', leaving: true, offerable: false, reason: 'leaving' },
    });
    expect(await w.store.dispatchableRiders(['r-1'], w.clock.now())).toEqual([]);
    expect(await w.useCases.getRider('r-1')).toMatchObject({ ok: true, value: { leaving: true } });
    // The rider taps "stay online".
    expect(await w.useCases.setRiderOnline(online('r-1', { stayOnline: true }))).toMatchObject({
      ok: true,
      value: { status: 'delivering', leaving: false, offerable: true },
    });
    expect((await w.store.dispatchableRiders(['r-1'], w.clock.now())).map((r) => r.riderId)).toEqual(['r-1']);
  });

  it('reads the shift without changing it, and says when the shift is over or the pings stopped', async () => {
    const w = createWorld();
    expect(await w.useCases.getRider('r-new')).toMatchObject({
      ok: true,
      value: { online: false, shiftEndsAt: undefined, offerable: false, reason: 'offline' },
    });
    const shiftEndsAt = new Date(w.clock.now().getTime() + 3_600_000);
    await w.useCases.setRiderOnline(online('r-1', { shiftEndsAt }));
    expect(await w.useCases.getRider('r-1')).toEqual({
      ok: true,
      value: {
        online: true,
        status: 'idle',
        leaving: false,
        shiftEndsAt,
        offerable: true,
        reason: undefined,
      },
    });
    w.clock.advance(3_600_000);
    w.positions.place('r-1', at(100));
    expect(await w.useCases.getRider('r-1')).toMatchObject({
      ok: true,
      value: { online: true, status: 'idle', offerable: false, reason: 'shift_ended' },
    });
    await w.useCases.setRiderOnline(online('r-1'));
    w.clock.advance(61_000);
    expect(await w.useCases.getRider('r-1')).toMatchObject({
      ok: true,
      value: { offerable: false, reason: 'no_position' },
    });
  });

  it('answers RIDER_NOT_FOUND for a rider who was never online', async () => {
    const w = createWorld();
    const result = await w.useCases.setRiderOnline(offline('ghost'));
    expect(!result.ok && result.error.code).toBe('RIDER_NOT_FOUND');
  });
});

describe('ReportPositions', () => {
  it('applies valid pings and counts stale and out-of-order ones as dropped', async () => {
    const w = createWorld();
    const now = w.clock.now().getTime();
    const result = await w.useCases.reportPositions([
      { riderId: 'r-1', ...at(10), recordedAt: now - 1_000 },
      { riderId: 'r-1', ...at(20), recordedAt: now - 5_000 },
      { riderId: 'r-2', ...at(30), recordedAt: now },
    ]);
    expect(result).toEqual({ ok: true, value: { accepted: 2, dropped: 1 } });
  });

  it('rejects the whole request when a ping is malformed, naming it', async () => {
    const w = createWorld();
    const result = await w.useCases.reportPositions([
      { riderId: 'r-1', ...at(10), recordedAt: w.clock.now().getTime() },
      { riderId: 'r-2', lat: Number.NaN, lng: 0, recordedAt: w.clock.now().getTime() },
    ]);
    expect(!result.ok && result.error.fields?.map((f) => f.field)).toEqual(['pings[1].lat']);
    expect(w.positions.fixes.size).toBe(0);
  });
});
