import { describe, expect, it } from 'vitest';
import {
  decideCancelHold,
  decideDelivery,
  decideOfferResponse,
  decideOffline,
  decideOrderEvent,
  decidePickup,
} from './rules.ts';
import type { DispatchOrderState, OfferStatus } from './model.ts';

const now = new Date('2026-11-20T12:00:00Z');
const offer = (status: OfferStatus, expiresInMs = 10_000) => ({
  offerId: 'of-1',
  riderId: 'r-1',
  status,
  expiresAt: new Date(now.getTime() + expiresInMs),
});
const code = (r: { ok: boolean; error?: { code: string } }) => (r.ok ? 'ok' : r.error?.code);

describe('answering an offer', () => {
  it('accepts or declines a pending offer', () => {
    expect(decideOfferResponse(offer('pending'), 'r-1', true, now)).toEqual({
      action: 'accept',
      result: { ok: true, value: true },
    });
    expect(decideOfferResponse(offer('pending'), 'r-1', false, now)).toEqual({
      action: 'decline',
      result: { ok: true, value: false },
    });
  });

  it('expires a pending offer answered too late, like the sweeper would', () => {
    const late = decideOfferResponse(offer('pending', 0), 'r-1', true, now);
    expect(late.action).toBe('expire');
    expect(code(late.result)).toBe('OFFER_EXPIRED');
  });

  it('hides other riders’ offers', () => {
    expect(code(decideOfferResponse(offer('pending'), 'r-2', true, now).result)).toBe('OFFER_NOT_FOUND');
  });

  it.each([
    ['accepted', true, 'ok'],
    ['accepted', false, 'OFFER_ALREADY_ANSWERED'],
    ['declined', false, 'ok'],
    ['declined', true, 'OFFER_ALREADY_ANSWERED'],
    ['expired', true, 'OFFER_EXPIRED'],
    ['expired', false, 'ok'],
    ['withdrawn', true, 'OFFER_WITHDRAWN'],
    ['withdrawn', false, 'ok'],
  ] as const)('changes nothing on an offer already %s (accept=%s -> %s)', (status, accept, expected) => {
    const decision = decideOfferResponse(offer(status), 'r-1', accept, now);
    expect(decision.action).toBe('none');
    expect(code(decision.result)).toBe(expected);
  });
});

describe('pickup and delivery', () => {
  const order = (state: DispatchOrderState, ready = true, riderId = 'r-1') => ({
    orderId: 'o-1',
    state,
    ready,
    riderId,
  });

  it.each([
    ['assigned', true, 'ok'],
    ['assigned', false, 'ORDER_NOT_READY'],
    ['picked_up', true, 'ok'],
    ['delivered', true, 'ok'],
    ['cancelled', true, 'ORDER_CANCELLED'],
    ['offered', true, 'ORDER_NOT_HELD'],
  ] as const)('pickup of an order %s (ready=%s) -> %s', (state, ready, expected) => {
    expect(code(decidePickup(order(state, ready), 'r-1', now))).toBe(expected);
  });

  it('tells a first pickup from a repeat', () => {
    expect(decidePickup(order('assigned'), 'r-1', now)).toEqual({ ok: true, value: 'pick_up' });
    expect(decidePickup(order('picked_up'), 'r-1', now)).toEqual({ ok: true, value: 'repeat' });
  });

  it.each([
    ['picked_up', 'ok'],
    ['delivered', 'ok'],
    ['assigned', 'ORDER_NOT_PICKED_UP'],
    ['cancelled', 'ORDER_CANCELLED'],
    ['waiting', 'ORDER_NOT_HELD'],
  ] as const)('delivery of an order %s -> %s', (state, expected) => {
    expect(code(decideDelivery(order(state), 'r-1'))).toBe(expected);
  });

  it('holds an assigned order against pickup while a customer cancellation is on its way', () => {
    const held = { ...order('assigned'), cancelHoldUntil: new Date(now.getTime() + 30_000) };
    expect(code(decidePickup(held, 'r-1', now))).toBe('ORDER_CANCEL_PENDING');
    // The hold lapses (the cancellation never committed): the pickup goes through.
    expect(decidePickup(held, 'r-1', new Date(now.getTime() + 30_000))).toEqual({
      ok: true,
      value: 'pick_up',
    });
    // A repeat of a pickup made before the hold stays a repeat.
    expect(decidePickup({ ...held, state: 'picked_up' }, 'r-1', now)).toEqual({ ok: true, value: 'repeat' });
  });

  it.each([
    ['waiting', 'ok'],
    ['offered', 'ok'],
    ['assigned', 'ok'],
    ['cancelled', 'ok'],
    ['picked_up', 'ORDER_PICKED_UP'],
    ['delivered', 'ORDER_PICKED_UP'],
  ] as const)('a cancellation hold on an order %s -> %s', (state, expected) => {
    expect(code(decideCancelHold(order(state)))).toBe(expected);
  });

  it('refuses a rider who does not hold the order', () => {
    expect(code(decidePickup(order('assigned', true, 'r-2'), 'r-1', now))).toBe('ORDER_NOT_HELD');
    expect(code(decideDelivery(order('picked_up', true, 'r-2'), 'r-1'))).toBe('ORDER_NOT_HELD');
  });
});

describe('order events', () => {
  it('inserts accepted or ready orders it has not seen, and ignores the rest', () => {
    expect(decideOrderEvent(undefined, 'ACCEPTED', 2)).toBe('insert');
    expect(decideOrderEvent(undefined, 'READY_FOR_PICKUP', 3)).toBe('insert');
    expect(decideOrderEvent(undefined, 'PLACED', 1)).toBe('ignore');
    expect(decideOrderEvent(undefined, 'RIDER_ASSIGNED', 4)).toBe('ignore');
  });

  it('records orders rejected or cancelled before it saw them, so older snapshots stay stale', () => {
    expect(decideOrderEvent(undefined, 'CANCELLED', 3)).toBe('tombstone');
    expect(decideOrderEvent(undefined, 'REJECTED', 2)).toBe('tombstone');
    // What the tombstone then does to the ACCEPTED that was overtaken (a replay, a redelivery).
    expect(decideOrderEvent({ state: 'cancelled', version: 3 }, 'ACCEPTED', 2)).toBe('ignore');
    expect(decideOrderEvent({ state: 'cancelled', version: 3 }, 'READY_FOR_PICKUP', 2)).toBe('ignore');
    expect(decideOrderEvent({ state: 'cancelled', version: 3 }, 'CANCELLED', 3)).toBe('ignore');
  });

  it('ignores snapshots not newer than the one applied', () => {
    expect(decideOrderEvent({ state: 'waiting', version: 3 }, 'READY_FOR_PICKUP', 3)).toBe('ignore');
    expect(decideOrderEvent({ state: 'waiting', version: 3 }, 'CANCELLED', 2)).toBe('ignore');
  });

  it('refreshes known orders and cancels live ones, but never reopens finished ones', () => {
    expect(decideOrderEvent({ state: 'offered', version: 2 }, 'READY_FOR_PICKUP', 3)).toBe('refresh');
    expect(decideOrderEvent({ state: 'assigned', version: 3 }, 'CANCELLED', 4)).toBe('cancel');
    expect(decideOrderEvent({ state: 'delivered', version: 6 }, 'CANCELLED', 7)).toBe('ignore');
    expect(decideOrderEvent({ state: 'cancelled', version: 4 }, 'READY_FOR_PICKUP', 5)).toBe('ignore');
  });
});

describe('going offline', () => {
  it('is immediate when idle, declines a pending offer first, and waits for deliveries in the bag', () => {
    expect(decideOffline('idle')).toBe('offline');
    expect(decideOffline('offered')).toBe('decline_offer');
    expect(decideOffline('delivering')).toBe('after_deliveries');
  });
});
