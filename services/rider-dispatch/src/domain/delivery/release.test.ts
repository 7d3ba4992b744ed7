import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { DispatchOrderState } from './model.ts';
import { decideRelease, nextSilentSince, releaseReason, type RiderLiveness } from './release.ts';

const now = new Date('2026-11-20T12:00:00Z');
const ago = (ms: number) => new Date(now.getTime() - ms);
const policy = { silentGraceMs: 180_000, shiftEndGraceMs: 300_000 };
const rider = (r: Partial<RiderLiveness> = {}): RiderLiveness => ({
  offlineRequested: false,
  shiftEndsAt: new Date(now.getTime() + 3_600_000),
  silentSince: undefined,
  ...r,
});
const held = (...states: DispatchOrderState[]) => states.map((state, i) => ({ orderId: `o-${i}`, state }));

describe('why a rider loses the orders not yet picked up', () => {
  it('keeps the orders of a rider who is heard, in shift and staying', () => {
    expect(releaseReason(rider(), now, policy, true)).toBeUndefined();
  });

  it('takes them back once the rider has been silent for the grace period, not before', () => {
    expect(releaseReason(rider({ silentSince: ago(179_999) }), now, policy, true)).toBeUndefined();
    expect(releaseReason(rider({ silentSince: ago(180_000) }), now, policy, true)).toBe('rider_silent');
  });

  it('decides nothing on silence when the position index could not be read', () => {
    expect(releaseReason(rider({ silentSince: ago(3_600_000) }), now, policy, false)).toBeUndefined();
  });

  it('takes them back when the rider asked to go offline, at once', () => {
    expect(releaseReason(rider({ offlineRequested: true }), now, policy, true)).toBe('offline_requested');
    expect(releaseReason(rider({ offlineRequested: true }), now, policy, false)).toBe('offline_requested');
  });

  it('takes them back once the shift has been over for its grace period', () => {
    expect(releaseReason(rider({ shiftEndsAt: ago(299_999) }), now, policy, true)).toBeUndefined();
    expect(releaseReason(rider({ shiftEndsAt: ago(300_000) }), now, policy, true)).toBe('shift_ended');
  });

  it("names the rider's own word first, then the shift, then silence", () => {
    const everything = { offlineRequested: true, shiftEndsAt: ago(600_000), silentSince: ago(600_000) };
    expect(releaseReason(rider(everything), now, policy, true)).toBe('offline_requested');
    expect(releaseReason(rider({ ...everything, offlineRequested: false }), now, policy, true)).toBe(
      'shift_ended',
    );
  });
});

describe('what is taken back', () => {
  const silent = rider({ silentSince: ago(600_000) });

  it('releases assigned orders and never picked-up ones (the food is with the rider)', () => {
    expect(decideRelease(silent, held('assigned', 'picked_up', 'assigned'), now, policy, true)).toEqual({
      reason: 'rider_silent',
      release: ['o-0', 'o-2'],
    });
  });

  it('releases nothing from a rider who only carries picked-up food', () => {
    expect(decideRelease(silent, held('picked_up', 'picked_up'), now, policy, true)).toBeUndefined();
  });

  it('never releases a picked-up order, whatever the rider and the orders (property)', () => {
    const state = fc.constantFrom<DispatchOrderState>('assigned', 'picked_up', 'delivered', 'cancelled');
    fc.assert(
      fc.property(
        fc.array(state, { maxLength: 6 }),
        fc.boolean(),
        fc.integer({ min: -7_200_000, max: 7_200_000 }),
        fc.option(fc.integer({ min: 0, max: 7_200_000 }), { nil: undefined }),
        fc.boolean(),
        (states, offlineRequested, shiftOffset, silentFor, known) => {
          const orders = held(...states);
          const r = rider({
            offlineRequested,
            shiftEndsAt: new Date(now.getTime() + shiftOffset),
            silentSince: silentFor === undefined ? undefined : ago(silentFor),
          });
          const decision = decideRelease(r, orders, now, policy, known);
          const released = new Set(decision?.release ?? []);
          expect(orders.filter((o) => released.has(o.orderId)).every((o) => o.state === 'assigned')).toBe(
            true,
          );
          if (decision) expect(decision.reason).toBe(releaseReason(r, now, policy, known));
        },
      ),
    );
  });
});

describe('silence as dispatch sees it', () => {
  it('dates a new silence from the TTL before (the last fix is at least that old)', () => {
    expect(nextSilentSince(undefined, false, now, 60_000)).toEqual(ago(60_000));
  });

  it('keeps the start of a silence already known, and ends it when the rider is heard', () => {
    expect(nextSilentSince(ago(500_000), false, now, 60_000)).toEqual(ago(500_000));
    expect(nextSilentSince(ago(500_000), true, now, 60_000)).toBeUndefined();
  });
});
