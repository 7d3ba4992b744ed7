import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { codedError } from '@mealpeak/core';
import { RiderStatus } from '@mealpeak/contracts/dispatch.v1';
import type { Role } from '../src/app/principal.ts';
import { createHarness, type Harness } from './support/harness.ts';

/** Rider endpoints and delivery tracking over a fake DispatchService: the JSON and the mapping. */

const ORDER = '7d3c1a2e-5b6f-4c8d-9e0f-1a2b3c4d5e6f';
const OFFER = '0ffe0ffe-0000-4000-8000-000000000001';
const SECOND = '7d3c1a2e-5b6f-4c8d-9e0f-1a2b3c4d5e70';
const here = { lat: 52.52, lng: 13.405 };
const expiresAt = new Date('2030-01-01T12:00:30.000Z');

let h: Harness;
beforeEach(async () => {
  h = await createHarness();
  h.backend.addMerchant('m-1');
  h.backend.addOrder({ id: ORDER, customerId: 'c-1', merchantId: 'm-1' });
});
afterEach(() => h.close());

const asRider = (sub = 'r-1'): { as: [Role, string] } => ({ as: ['rider', sub] });
const post = (url: string, payload?: object, headers: Record<string, string> = {}) =>
  h.call({ method: 'POST', url, ...(payload ? { payload } : {}), headers, ...asRider() });

describe('shift', () => {
  it('goes online with a position and a shift end, as the token’s rider', async () => {
    const res = await post('/v1/rider/shift', {
      online: true,
      position: here,
      shiftEndsAt: '2030-01-01T20:00:00+01:00',
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      status: 'IDLE',
      online: true,
      leaving: false,
      shiftEndsAt: '2030-01-01T19:00:00.000Z',
      offerable: true,
    });
    expect(h.dispatch.calls).toEqual(['setRiderOnline:r-1']);
  });

  it('goes offline; while delivering the answer says so (offline after the last drop-off)', async () => {
    await post('/v1/rider/shift', { online: true, position: here });
    expect((await post('/v1/rider/shift', { online: false })).json()).toMatchObject({
      status: 'OFFLINE',
      online: false,
      offerable: false,
      notOfferableReason: 'OFFLINE',
    });
    h.dispatch.riders.set('r-1', RiderStatus.RIDER_STATUS_DELIVERING);
    expect((await post('/v1/rider/shift', { online: false })).json()).toMatchObject({
      status: 'DELIVERING',
      online: true,
      leaving: true,
      offerable: false,
      notOfferableReason: 'LEAVING',
    });
  });

  it('reads the shift without changing it; going online keeps leaving unless stayOnline', async () => {
    const never = await h.call({ url: '/v1/rider/shift', ...asRider() });
    expect(never.statusCode).toBe(200);
    expect(never.json()).toEqual({
      status: 'OFFLINE',
      online: false,
      leaving: false,
      offerable: false,
      notOfferableReason: 'OFFLINE',
    });
    await post('/v1/rider/shift', { online: true, position: here, shiftEndsAt: '2030-01-01T20:00:00Z' });
    h.dispatch.riders.set('r-1', RiderStatus.RIDER_STATUS_DELIVERING);
    await post('/v1/rider/shift', { online: false });
    h.dispatch.calls.length = 0;
    expect((await h.call({ url: '/v1/rider/shift', ...asRider() })).json()).toEqual({
      status: 'DELIVERING',
      online: true,
      leaving: true,
      shiftEndsAt: '2030-01-01T20:00:00.000Z',
      offerable: false,
      notOfferableReason: 'LEAVING',
    });
    expect(h.dispatch.calls).toEqual(['getRider:r-1']);
    // A restarted app re-sending its last state: still leaving.
    expect((await post('/v1/rider/shift', { online: true, position: here })).json()).toMatchObject({
      leaving: true,
    });
    expect(
      (await post('/v1/rider/shift', { online: true, position: here, stayOnline: true })).json(),
    ).toMatchObject({ status: 'DELIVERING', leaving: false, offerable: true });
  });

  it('refuses stayOnline with online: false', async () => {
    const res = await post('/v1/rider/shift', { online: false, stayOnline: true });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ fields: [{ field: 'stayOnline' }] });
    expect(h.dispatch.calls).toEqual([]);
  });

  it('answers 503 with Retry-After when dispatch cannot be reached', async () => {
    h.dispatch.failures.set(
      'setRiderOnline',
      codedError('unavailable', 'GRPC_UNAVAILABLE', 'connect 10.0.0.3'),
    );
    const res = await post('/v1/rider/shift', { online: true, position: here });
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBe('5');
    expect(res.json()).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE' });
  });
});

describe('offers', () => {
  it('answers null without an offer, and the offer when there is one', async () => {
    const none = await h.call({ url: '/v1/rider/offer', ...asRider() });
    expect(none.json()).toEqual({ offer: null });
    h.dispatch.addOffer({ offerId: OFFER, riderId: 'r-1', orderIds: [ORDER], expiresAt });
    const some = await h.call({ url: '/v1/rider/offer', ...asRider() });
    expect(some.json()).toEqual({
      offer: {
        offerId: OFFER,
        orderIds: [ORDER],
        pickup: { lat: 52.52, lng: 13.405 },
        expiresAt: '2030-01-01T12:00:30.000Z',
        orders: [
          {
            orderId: ORDER,
            sequence: 0,
            dropoff: { lat: 52.5, lng: 13.4 },
            dropoffAddress: `Door of ${ORDER}`,
            cancelled: false,
            merchantId: 'm-1',
            ready: true,
            expectedReadyAt: '2026-11-22T12:20:00.000Z',
          },
        ],
      },
    });
  });

  it('says per order of a bundle whether the food is ready, so the rider learns it before the counter', async () => {
    h.dispatch.addOffer({ offerId: OFFER, riderId: 'r-1', orderIds: [ORDER, SECOND], expiresAt });
    h.dispatch.addDelivery({ orderId: SECOND, state: 'waiting', ready: false });
    const res = await h.call({ url: '/v1/rider/offer', ...asRider() });
    expect(
      res
        .json()
        .offer.orders.map((o: { orderId: string; merchantId: string; ready: boolean }) => [
          o.orderId,
          o.merchantId,
          o.ready,
        ]),
    ).toEqual([
      [ORDER, 'm-1', true],
      [SECOND, 'm-1', false],
    ]);
  });

  it('tells in the offer where each order of a bundle goes, and which one was cancelled meanwhile', async () => {
    h.dispatch.addOffer({ offerId: OFFER, riderId: 'r-1', orderIds: [ORDER, SECOND], expiresAt });
    h.dispatch.addDelivery({ orderId: SECOND, state: 'cancelled' });
    const res = await h.call({ url: '/v1/rider/offer', ...asRider() });
    expect(res.json().offer.orders).toEqual([
      expect.objectContaining({
        orderId: ORDER,
        sequence: 0,
        dropoffAddress: `Door of ${ORDER}`,
        cancelled: false,
      }),
      expect.objectContaining({
        orderId: SECOND,
        sequence: 1,
        dropoffAddress: `Door of ${SECOND}`,
        cancelled: true,
      }),
    ]);
    const accepted = await post(`/v1/rider/offers/${OFFER}/accept`);
    expect(accepted.json().offer.orders).toHaveLength(2);
  });

  it('accepts an offer (a repeat is still OK) and then refuses to decline it', async () => {
    h.dispatch.addOffer({ offerId: OFFER, riderId: 'r-1', orderIds: [ORDER] });
    const accepted = await post(`/v1/rider/offers/${OFFER}/accept`);
    expect(accepted.statusCode).toBe(200);
    expect(accepted.json()).toMatchObject({ offer: { offerId: OFFER, orderIds: [ORDER] }, accepted: true });
    expect((await post(`/v1/rider/offers/${OFFER}/accept`)).statusCode).toBe(200);
    const declined = await post(`/v1/rider/offers/${OFFER}/decline`);
    expect(declined.statusCode).toBe(409);
    expect(declined.json()).toMatchObject({ code: 'OFFER_ALREADY_ANSWERED' });
  });

  it('declines an offer', async () => {
    h.dispatch.addOffer({ offerId: OFFER, riderId: 'r-1', orderIds: [ORDER] });
    const res = await post(`/v1/rider/offers/${OFFER}/decline`, {});
    expect(res.json()).toMatchObject({ offer: { offerId: OFFER }, accepted: false });
    expect(h.dispatch.offers.get(OFFER)?.status).toBe('declined');
  });

  it('honours an Idempotency-Key: the retry of an answer is replayed, not asked again', async () => {
    h.dispatch.addOffer({ offerId: OFFER, riderId: 'r-1', orderIds: [ORDER] });
    const first = await post(`/v1/rider/offers/${OFFER}/accept`, undefined, { 'idempotency-key': 'a-1' });
    const again = await post(`/v1/rider/offers/${OFFER}/accept`, undefined, { 'idempotency-key': 'a-1' });
    expect(again.body).toBe(first.body);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(h.dispatch.calls.filter((c) => c.startsWith('respondToOffer'))).toHaveLength(1);
  });
});

describe('the current run', () => {
  const run = (sub = 'r-1') => h.call({ url: '/v1/rider/orders', ...asRider(sub) });

  it('is empty before anything was accepted', async () => {
    const res = await run();
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ orders: [] });
    expect(h.dispatch.calls).toEqual(['listRiderOrders:r-1']);
  });

  it('lists accepted orders with pickup, drop-off and address, and their state as they move', async () => {
    h.dispatch.now = () => new Date('2030-01-01T12:00:05.000Z');
    h.dispatch.addOffer({ offerId: OFFER, riderId: 'r-1', orderIds: [ORDER], expiresAt });
    await post(`/v1/rider/offers/${OFFER}/accept`);
    expect((await run()).json()).toEqual({
      orders: [
        {
          orderId: ORDER,
          state: 'ASSIGNED',
          offerId: OFFER,
          sequence: 0,
          pickup: { lat: 52.52, lng: 13.405 },
          dropoff: { lat: 52.5, lng: 13.4 },
          dropoffAddress: `Door of ${ORDER}`,
          merchantId: 'm-1',
          ready: true,
          expectedReadyAt: '2026-11-22T12:20:00.000Z',
          assignedAt: '2030-01-01T12:00:05.000Z',
        },
      ],
    });
    h.dispatch.now = () => new Date('2030-01-01T12:09:00.000Z');
    await post(`/v1/rider/orders/${ORDER}/picked-up`);
    expect((await run()).json().orders[0]).toMatchObject({
      state: 'PICKED_UP',
      pickedUpAt: '2030-01-01T12:09:00.000Z',
    });
    expect((await run('r-2')).json()).toEqual({ orders: [] });
  });

  it('shows an order cancelled in the rider’s hands as CANCELLED with the time', async () => {
    h.dispatch.addDelivery({
      orderId: ORDER,
      riderId: 'r-1',
      state: 'cancelled',
      cancelledAt: new Date('2030-01-01T12:03:00.000Z'),
    });
    expect((await run()).json().orders[0]).toMatchObject({
      orderId: ORDER,
      state: 'CANCELLED',
      cancelledAt: '2030-01-01T12:03:00.000Z',
    });
  });

  it('lists an order taken back from the rider as RELEASED with why, and refuses its pickup as released', async () => {
    h.dispatch.addDelivery({
      orderId: ORDER,
      riderId: 'r-2',
      state: 'assigned',
      releasedFrom: { riderId: 'r-1', reason: 'offline_requested', at: new Date('2030-01-01T12:04:00.000Z') },
    });
    expect((await run()).json().orders).toEqual([
      expect.objectContaining({
        orderId: ORDER,
        state: 'RELEASED',
        releasedAt: '2030-01-01T12:04:00.000Z',
        releaseReason: 'OFFLINE_REQUESTED',
      }),
    ]);
    expect((await run()).json().orders[0]).not.toHaveProperty('cancelledAt');
    const pickup = await post(`/v1/rider/orders/${ORDER}/picked-up`);
    expect(pickup.statusCode).toBe(409);
    expect(pickup.json()).toMatchObject({ code: 'ORDER_RELEASED' });
    // The rider it went to holds it; to anyone else it is someone else's order.
    expect(
      (await h.call({ method: 'POST', url: `/v1/rider/orders/${ORDER}/picked-up`, ...asRider('r-3') }))
        .statusCode,
    ).toBe(403);
  });

  it('answers 503 with Retry-After when dispatch cannot be reached', async () => {
    h.dispatch.failures.set('listRiderOrders', codedError('unavailable', 'GRPC_UNAVAILABLE', 'connect'));
    const res = await run();
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBe('5');
  });
});

describe('pickup and delivery', () => {
  it('marks an order picked up, then delivered', async () => {
    h.dispatch.addDelivery({ orderId: ORDER, riderId: 'r-1', state: 'assigned', ready: true });
    const picked = await post(`/v1/rider/orders/${ORDER}/picked-up`);
    expect(picked.statusCode).toBe(200);
    expect(picked.json()).toEqual({ orderId: ORDER });
    const delivered = await post(`/v1/rider/orders/${ORDER}/delivered`);
    expect(delivered.json()).toEqual({ orderId: ORDER });
    expect(h.dispatch.deliveries.get(ORDER)?.state).toBe('delivered');
  });

  it('takes an order id in upper case too, and hands dispatch the lower-case one it stores', async () => {
    h.dispatch.addDelivery({ orderId: ORDER, riderId: 'r-1', state: 'assigned', ready: true });
    const picked = await post(`/v1/rider/orders/${ORDER.toUpperCase()}/picked-up`);
    expect(picked.statusCode).toBe(200);
    expect(picked.json()).toEqual({ orderId: ORDER });
    expect(h.dispatch.deliveries.get(ORDER)?.state).toBe('picked_up');
    const tracking = await h.call({
      url: `/v1/orders/${ORDER.toUpperCase()}/tracking`,
      as: ['customer', 'c-1'],
    });
    expect(tracking.statusCode).toBe(200);
  });

  it('passes dispatch’s refusal through with the status of its kind: not ready is 409', async () => {
    h.dispatch.addDelivery({ orderId: ORDER, riderId: 'r-1', state: 'assigned', ready: false });
    const res = await post(`/v1/rider/orders/${ORDER}/picked-up`);
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ code: 'ORDER_NOT_READY' });
  });

  it('does not keep a "not ready yet" answer for its Idempotency-Key: the retry after ready runs', async () => {
    h.dispatch.addDelivery({ orderId: ORDER, riderId: 'r-1', state: 'assigned', ready: false });
    const key = { 'idempotency-key': 'pick-1' };
    expect((await post(`/v1/rider/orders/${ORDER}/picked-up`, undefined, key)).json()).toMatchObject({
      code: 'ORDER_NOT_READY',
    });
    h.dispatch.deliveries.get(ORDER)!.ready = true; // the merchant marks it ready
    const retry = await post(`/v1/rider/orders/${ORDER}/picked-up`, undefined, key);
    expect(retry.statusCode).toBe(200);
    expect(retry.headers['idempotent-replayed']).toBeUndefined();
    // That answer is kept as usual.
    const again = await post(`/v1/rider/orders/${ORDER}/picked-up`, undefined, key);
    expect(again.headers['idempotent-replayed']).toBe('true');
  });

  it('does not keep "not at the drop-off yet" either: the retry from the door runs', async () => {
    h.dispatch.addDelivery({ orderId: ORDER, riderId: 'r-1', state: 'picked_up', farFromDropoffM: 900 });
    const key = { 'idempotency-key': 'drop-1' };
    const far = await post(`/v1/rider/orders/${ORDER}/delivered`, undefined, key);
    expect(far.statusCode).toBe(409);
    expect(far.json()).toMatchObject({ code: 'NOT_AT_DROPOFF' });
    delete h.dispatch.deliveries.get(ORDER)!.farFromDropoffM; // the rider walks to the door
    const retry = await post(`/v1/rider/orders/${ORDER}/delivered`, undefined, key);
    expect(retry.statusCode).toBe(200);
    expect(h.dispatch.deliveries.get(ORDER)?.state).toBe('delivered');
  });
});

describe('GET /v1/orders/{orderId}/tracking', () => {
  const track = (as: [Role, string]) => h.call({ url: `/v1/orders/${ORDER}/tracking`, as });

  it('shows the customer its rider’s position and the ETA', async () => {
    h.dispatch.addDelivery({
      orderId: ORDER,
      riderId: 'r-1',
      state: 'picked_up',
      position: { lat: 52.51, lng: 13.41, at: new Date('2026-11-22T12:20:05.000Z') },
      eta: new Date('2026-11-22T12:31:00.000Z'),
    });
    const res = await track(['customer', 'c-1']);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      orderId: ORDER,
      riderId: 'r-1',
      riderPosition: { lat: 52.51, lng: 13.41 },
      positionAt: '2026-11-22T12:20:05.000Z',
      eta: '2026-11-22T12:31:00.000Z',
    });
  });

  it('answers with explicit nulls before a rider is assigned: an estimate only', async () => {
    h.dispatch.addDelivery({ orderId: ORDER, state: 'waiting', eta: new Date('2026-11-22T12:45:00.000Z') });
    expect((await track(['customer', 'c-1'])).json()).toEqual({
      orderId: ORDER,
      riderId: null,
      riderPosition: null,
      positionAt: null,
      eta: '2026-11-22T12:45:00.000Z',
    });
  });

  it('is a 404 for another customer’s order, and dispatch is never asked', async () => {
    h.dispatch.addDelivery({ orderId: ORDER, riderId: 'r-1' });
    const res = await track(['customer', 'c-2']);
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ code: 'ORDER_NOT_FOUND', message: 'order not found' });
    expect(h.dispatch.calls).toEqual([]);
  });

  it.each<[Role, string]>([
    ['merchant', 'm-1'],
    ['rider', 'r-1'],
    ['ops', 'ops-1'],
  ])('is for customers only: %s %s (even the order’s own) gets 403', async (role, sub) => {
    h.dispatch.addDelivery({ orderId: ORDER, riderId: 'r-1' });
    const res = await track([role, sub]);
    expect(res.statusCode).toBe(403);
    expect(res.json()).toMatchObject({ code: 'FORBIDDEN' });
  });
});
