import { describe, expect, it } from 'vitest';
import {
  dispatchStatus,
  offerOutcome,
  type DispatchRecord,
  type OrderOfferRecord,
} from './dispatch-status.ts';
import type { DispatchOrder } from './model.ts';

const now = new Date('2026-11-20T12:00:00Z');
const ago = (s: number) => new Date(now.getTime() - s * 1000);

const order = (change: Partial<DispatchOrder> = {}): DispatchOrder => ({
  orderId: 'o-1',
  zone: 'z3000:1:2',
  merchantId: 'm-1',
  customerId: 'c-1',
  pickup: { lat: 31.2, lng: 121.4 },
  dropoff: { lat: 31.21, lng: 121.41 },
  dropoffAddress: '',
  merchantName: '',
  pickupAddress: '',
  placedAt: ago(900),
  expectedReadyAt: ago(60),
  promisedAt: ago(-1800),
  ready: true,
  state: 'waiting',
  riderId: undefined,
  offerId: undefined,
  sequence: undefined,
  version: 3,
  pickedUpAt: undefined,
  deliveredAt: undefined,
  ...change,
});

const offer = (offerId: string, change: Partial<OrderOfferRecord> = {}): OrderOfferRecord => ({
  offerId,
  riderId: `r-${offerId}`,
  orderIds: ['o-1'],
  status: 'declined',
  declinedBy: 'rider',
  offeredAt: ago(300),
  expiresAt: ago(270),
  respondedAt: ago(290),
  release: undefined,
  withdrawn: false,
  ...change,
});

const record = (o: DispatchOrder, offers: OrderOfferRecord[] = [], updatedAt = ago(10)): DispatchRecord => ({
  order: o,
  updatedAt,
  recentOffers: offers,
  tallies: offers.map((f) => ({
    status: f.status,
    declinedBy: f.declinedBy,
    released: f.release !== undefined,
    withdrawn: f.withdrawn,
    count: 1,
  })),
});

describe('offerOutcome', () => {
  it.each([
    [{ status: 'pending' as const }, 'pending'],
    [{ status: 'accepted' as const }, 'accepted'],
    [{ status: 'accepted' as const, released: true }, 'released'],
    [{ status: 'declined' as const, declinedBy: 'rider' as const }, 'declined'],
    // Declined before migration 0009 recorded by whom: only the rider's answer declined then.
    [{ status: 'declined' as const }, 'declined'],
    [{ status: 'declined' as const, declinedBy: 'going_offline' as const }, 'declined_going_offline'],
    [{ status: 'expired' as const }, 'expired'],
    [{ status: 'withdrawn' as const }, 'withdrawn'],
    // The order was cancelled while the offer was pending: what the offer's rider did with the
    // rest of the bundle afterwards is not this order's outcome.
    [{ status: 'pending' as const, withdrawn: true }, 'withdrawn'],
    [{ status: 'accepted' as const, withdrawn: true }, 'withdrawn'],
    [{ status: 'declined' as const, declinedBy: 'rider' as const, withdrawn: true }, 'withdrawn'],
    [{ status: 'expired' as const, withdrawn: true }, 'withdrawn'],
  ])('%o -> %s', (facts, outcome) => {
    expect(offerOutcome({ declinedBy: undefined, released: false, withdrawn: false, ...facts })).toBe(
      outcome,
    );
  });
});

describe('dispatchStatus', () => {
  it('waiting, never offered: no offer, no rider, nothing counted', () => {
    const s = dispatchStatus(record(order()), now);
    expect(s).toMatchObject({
      orderId: 'o-1',
      phase: 'waiting',
      zone: 'z3000:1:2',
      pendingOffer: undefined,
      riderId: undefined,
      recentOffers: [],
      offerCounts: {
        accepted: 0,
        released: 0,
        declined: 0,
        declined_going_offline: 0,
        expired: 0,
        withdrawn: 0,
      },
    });
  });

  it('offered: who holds the offer and until when; earlier offers counted by how they ended', () => {
    const pending = offer('f-3', {
      status: 'pending',
      declinedBy: undefined,
      offeredAt: ago(10),
      expiresAt: ago(-20),
      respondedAt: undefined,
    });
    const s = dispatchStatus(
      record(order({ state: 'offered', riderId: 'r-f-3', offerId: 'f-3', sequence: 0 }), [
        pending,
        offer('f-2', { status: 'expired', declinedBy: undefined }),
        offer('f-1'),
      ]),
      now,
    );
    expect(s.pendingOffer).toEqual({
      offerId: 'f-3',
      riderId: 'r-f-3',
      orderIds: ['o-1'],
      outcome: 'pending',
      offeredAt: ago(10),
      expiresAt: ago(-20),
      answeredAt: undefined,
      releasedAt: undefined,
      releaseReason: undefined,
    });
    // Offered is not held: the rider has not said yes.
    expect(s.riderId).toBeUndefined();
    expect(s.offerCounts).toMatchObject({ declined: 1, expired: 1, accepted: 0 });
    expect(s.recentOffers.map((o) => `${o.riderId}:${o.outcome}`)).toEqual([
      'r-f-3:pending',
      'r-f-2:expired',
      'r-f-1:declined',
    ]);
  });

  it('assigned: the rider of the accepted offer and when they accepted', () => {
    const accepted = offer('f-1', { status: 'accepted', declinedBy: undefined, respondedAt: ago(120) });
    const s = dispatchStatus(
      record(order({ state: 'assigned', riderId: 'r-f-1', offerId: 'f-1', sequence: 0 }), [accepted]),
      now,
    );
    expect(s).toMatchObject({
      phase: 'assigned',
      riderId: 'r-f-1',
      assignedAt: ago(120),
      pendingOffer: undefined,
    });
    expect(s.offerCounts.accepted).toBe(1);
  });

  it('waiting again after a release: the accepted offer counts as released, with why', () => {
    const released = offer('f-1', {
      status: 'accepted',
      declinedBy: undefined,
      release: { reason: 'rider_silent', releasedAt: ago(30) },
    });
    const s = dispatchStatus(record(order(), [released]), now);
    expect(s).toMatchObject({ phase: 'waiting', riderId: undefined });
    expect(s.offerCounts).toMatchObject({ accepted: 0, released: 1 });
    expect(s.recentOffers[0]).toMatchObject({
      outcome: 'released',
      releasedAt: ago(30),
      releaseReason: 'rider_silent',
    });
  });

  it('cancelled in the rider’s hands names the rider; cancelled while only offered does not', () => {
    const accepted = offer('f-1', { status: 'accepted', declinedBy: undefined, respondedAt: ago(120) });
    const held = order({ state: 'cancelled', riderId: 'r-f-1', offerId: 'f-1', sequence: 0 });
    const inHand = dispatchStatus(record(held, [accepted], ago(60)), now);
    expect(inHand).toMatchObject({
      phase: 'cancelled',
      riderId: 'r-f-1',
      assignedAt: ago(120),
      cancelledAt: ago(60),
    });
    expect(inHand.recentOffers[0]?.outcome).toBe('accepted');
    expect(inHand.offerCounts).toMatchObject({ accepted: 1, withdrawn: 0 });

    const withdrawn = offer('f-1', { status: 'withdrawn', declinedBy: undefined });
    expect(dispatchStatus(record(held, [withdrawn]), now)).toMatchObject({
      riderId: undefined,
      pendingOffer: undefined,
      offerCounts: { withdrawn: 1 },
    });
  });

  it.each([
    // The rider accepted the rest of the bundle: after the cancellation, or with an accept time
    // before it (read from the accepting replica's clock before its transaction waited).
    ['accepted after', { status: 'accepted' as const, respondedAt: ago(30) }],
    ['accepted, stamped before', { status: 'accepted' as const, respondedAt: ago(90) }],
    ['declined', { status: 'declined' as const, declinedBy: 'rider' as const, respondedAt: ago(30) }],
    ['expired', { status: 'expired' as const, respondedAt: ago(30) }],
    ['still pending', { status: 'pending' as const, respondedAt: undefined, expiresAt: ago(-20) }],
  ])('a bundle order cancelled while offered: withdrawn, whatever the offer then %s', (_, change) => {
    const rest = offer('f-1', {
      declinedBy: undefined,
      orderIds: ['o-1', 'o-2'],
      withdrawn: true,
      ...change,
    });
    const cancelled = order({ state: 'cancelled', riderId: 'r-f-1', offerId: 'f-1', sequence: 0 });
    const s = dispatchStatus(record(cancelled, [rest, offer('f-0')], ago(60)), now);
    expect(s).toMatchObject({
      phase: 'cancelled',
      riderId: undefined,
      assignedAt: undefined,
      pendingOffer: undefined,
      cancelledAt: ago(60),
    });
    // Left the offer when it was cancelled.
    expect(s.recentOffers.map((o) => [o.offerId, o.outcome, o.answeredAt])).toEqual([
      ['f-1', 'withdrawn', ago(60)],
      ['f-0', 'declined', ago(290)],
    ]);
    expect(s.offerCounts).toEqual({
      accepted: 0,
      released: 0,
      declined: 1,
      declined_going_offline: 0,
      expired: 0,
      withdrawn: 1,
    });
  });

  it('an offer past its expiry, not swept yet, is expired: the order is waiting again', () => {
    const lapsed = offer('f-2', {
      status: 'pending',
      declinedBy: undefined,
      offeredAt: ago(31),
      expiresAt: ago(1),
      respondedAt: undefined,
    });
    const offered = order({ state: 'offered', riderId: 'r-f-2', offerId: 'f-2', sequence: 0 });
    const s = dispatchStatus(record(offered, [lapsed, offer('f-1')]), now);
    // As the sweeper will leave it: waiting, nobody holding an offer of it, one more expiry.
    expect(s).toMatchObject({ phase: 'waiting', pendingOffer: undefined, riderId: undefined });
    expect(s.recentOffers.map((o) => `${o.offerId}:${o.outcome}`)).toEqual(['f-2:expired', 'f-1:declined']);
    expect(s.offerCounts).toMatchObject({ expired: 1, declined: 1 });
    // Expiring at this very moment: an accept now is refused (expiresAt <= now), so expired too.
    const atExpiry = offer('f-2', { ...lapsed, expiresAt: now });
    expect(dispatchStatus(record(offered, [atExpiry]), now)).toMatchObject({
      phase: 'waiting',
      offerCounts: { expired: 1 },
    });
    // A millisecond before: still offered, pending.
    const before = offer('f-2', { ...lapsed, expiresAt: new Date(now.getTime() + 1) });
    const still = dispatchStatus(record(offered, [before]), now);
    expect(still).toMatchObject({ phase: 'offered', pendingOffer: { outcome: 'pending' } });
    expect(still.offerCounts.expired).toBe(0);
  });

  it('shows a cancel hold only while it is in force on a live order', () => {
    const until = ago(-200);
    expect(dispatchStatus(record(order({ cancelHoldUntil: until })), now).cancelHoldUntil).toEqual(until);
    expect(dispatchStatus(record(order({ cancelHoldUntil: ago(1) })), now).cancelHoldUntil).toBeUndefined();
    const ended = order({ state: 'cancelled', cancelHoldUntil: until });
    expect(dispatchStatus(record(ended), now).cancelHoldUntil).toBeUndefined();
  });

  it('counts every offer, not only those listed', () => {
    const listed = [offer('f-9')];
    const s = dispatchStatus(
      {
        ...record(order(), listed),
        tallies: [
          { status: 'declined', declinedBy: 'rider', released: false, withdrawn: false, count: 30 },
          { status: 'declined', declinedBy: undefined, released: false, withdrawn: false, count: 2 },
          { status: 'declined', declinedBy: 'going_offline', released: false, withdrawn: false, count: 1 },
          { status: 'expired', declinedBy: undefined, released: false, withdrawn: false, count: 12 },
        ],
      },
      now,
    );
    expect(s.offerCounts).toEqual({
      accepted: 0,
      released: 0,
      declined: 32,
      declined_going_offline: 1,
      expired: 12,
      withdrawn: 0,
    });
    expect(s.recentOffers).toHaveLength(1);
  });
});
