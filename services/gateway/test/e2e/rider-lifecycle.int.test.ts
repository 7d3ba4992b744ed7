import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { eventually } from '@mealpeak/testing';
import { orderBody, startPlatform, type Platform } from './platform.ts';

/**
 * A delivery end to end through the gateway, against the real services: the rider goes online and
 * pings (straight into Redis), dispatch finds the rider through those positions and offers the
 * order with its drop-off, the rider accepts, finds the order in their run, picks up and delivers
 * while the customer tracks it, and ops see where the order stands in dispatch.
 */
// The merchant of platform.ts' seed stands in Shanghai; the rider waits 300 m north of it.
const rider = { lat: 31.2313, lng: 121.4545 };

describe('a delivery through the gateway, against the real services', () => {
  let p: Platform;
  let customer: string;
  let merchant: string;
  let courier: string;
  let ops: string;

  beforeAll(async () => {
    // Writer (gateway) and reader (dispatch) must agree on the index; a fresh one per run.
    const index = { RIDER_POSITIONS_NAMESPACE: `rider-positions-${randomUUID().slice(0, 8)}` };
    p = await startPlatform({
      services: ['merchant', 'order', 'rider-dispatch', 'gateway'],
      serviceEnv: {
        'rider-dispatch': { ...index, ROUND_INTERVAL_MS: '500', LEASE_TTL_MS: '3000' },
        gateway: {
          ...index,
          RATE_LIMIT_PER_MINUTE_RIDER: '100000',
        },
      },
      topics: ['order.events.v1', 'dispatch.events.v1'],
    });
    await p.seedMerchant('m-ride', [{ id: 'dumplings', stock: 100 }]);
    [customer, merchant, courier, ops] = await Promise.all([
      p.token('customer', 'c-ride'),
      p.token('merchant', 'm-ride'),
      p.token('rider', 'r-ride'),
      p.token('ops', 'ops-ride'),
    ]);
  }, 180_000);
  afterAll(async () => p?.stop(), 60_000);

  const ping = (where: { lat: number; lng: number } = rider) =>
    p.http('POST', '/v1/rider/positions', {
      token: courier,
      body: { pings: [{ ...where, recordedAt: new Date().toISOString() }] },
    });

  it('offers the order to the pinging rider, who takes it to the customer', async () => {
    const online = await p.http('POST', '/v1/rider/shift', {
      token: courier,
      body: { online: true, position: rider },
    });
    expect(online).toMatchObject({ status: 200, body: { status: 'IDLE', leaving: false, offerable: true } });
    expect(await ping()).toMatchObject({ status: 202, body: { accepted: 1, dropped: 0 } });
    // The app reads its shift without changing it (after a restart, instead of re-sending POST).
    expect(await p.http('GET', '/v1/rider/shift', { token: courier })).toMatchObject({
      status: 200,
      body: { status: 'IDLE', online: true, leaving: false, offerable: true },
    });

    const placed = await p.http('POST', '/v1/orders', {
      token: customer,
      body: orderBody('m-ride', 'dumplings'),
      headers: { 'idempotency-key': randomUUID() },
    });
    expect(placed.status).toBe(201);
    const orderId = placed.body.id as string;
    // The customer sees which restaurant too.
    expect(placed.body).toMatchObject({ merchantId: 'm-ride', merchantName: 'Kitchen m-ride' });
    const early = await p.http('GET', `/v1/orders/${orderId}/tracking`, { token: customer });
    expect(early).toMatchObject({ status: 409, body: { code: 'TRACKING_NOT_AVAILABLE' } });

    expect((await p.http('POST', `/v1/merchant/orders/${orderId}/accept`, { token: merchant })).status).toBe(
      200,
    );
    expect((await p.http('POST', `/v1/merchant/orders/${orderId}/ready`, { token: merchant })).status).toBe(
      200,
    );

    // Keep pinging, as the app does, until dispatch's rounds make the offer.
    const offer = await eventually(
      async () => {
        await ping();
        const res = await p.http('GET', '/v1/rider/offer', { token: courier });
        return res.body.offer ?? undefined;
      },
      45_000,
      'an offer for the rider',
    );
    expect(offer.orderIds).toEqual([orderId]);
    // Where it goes, from the order the customer placed, before the rider decides.
    expect(offer.orders).toEqual([
      {
        orderId,
        sequence: 0,
        dropoff: { lat: 31.2304, lng: 121.4737 },
        dropoffAddress: "People's Square 1",
        cancelled: false,
        // The restaurant, named and addressed as the merchant service had it when the order was
        // placed, and whether the kitchen is done (the round may run before READY arrives).
        merchantId: 'm-ride',
        merchantName: 'Kitchen m-ride',
        pickupAddress: '1 Nanjing East Road, Huangpu, Shanghai',
        ready: expect.any(Boolean),
        expectedReadyAt: expect.any(String),
      },
    ]);
    expect((await p.http('GET', '/v1/rider/orders', { token: courier })).body).toEqual({ orders: [] });
    // Ops asking why the order has no rider yet: offered to r-ride, until when.
    const offered = await p.http('GET', `/v1/ops/orders/${orderId}/dispatch`, { token: ops });
    expect(offered).toMatchObject({
      status: 200,
      body: {
        orderId,
        phase: 'OFFERED',
        merchantId: 'm-ride',
        pendingOffer: {
          offerId: offer.offerId,
          riderId: 'r-ride',
          outcome: 'PENDING',
          expiresAt: offer.expiresAt,
          orderIds: [orderId],
        },
        offerCounts: { accepted: 0, declined: 0, expired: 0 },
      },
    });
    const waiting = await p.http('GET', `/v1/orders/${orderId}/tracking`, { token: customer });
    expect(waiting).toMatchObject({ status: 200, body: { orderId, riderId: null, riderPosition: null } });

    const accepted = await p.http('POST', `/v1/rider/offers/${offer.offerId}/accept`, { token: courier });
    expect(accepted).toMatchObject({ status: 200, body: { accepted: true } });
    const held = await p.http('GET', `/v1/ops/orders/${orderId}/dispatch`, { token: ops });
    expect(held.body).toMatchObject({
      phase: 'ASSIGNED',
      riderId: 'r-ride',
      offerCounts: { accepted: 1 },
      recentOffers: [{ offerId: offer.offerId, riderId: 'r-ride', outcome: 'ACCEPTED' }],
    });
    expect(held.body).not.toHaveProperty('pendingOffer');
    // After an app restart the rider finds the order again, with where to take it.
    const run = await p.http('GET', '/v1/rider/orders', { token: courier });
    expect(run).toMatchObject({
      status: 200,
      body: {
        orders: [
          {
            orderId,
            state: 'ASSIGNED',
            offerId: offer.offerId,
            dropoff: { lat: 31.2304, lng: 121.4737 },
            dropoffAddress: "People's Square 1",
            merchantName: 'Kitchen m-ride',
            pickupAddress: '1 Nanjing East Road, Huangpu, Shanghai',
          },
        ],
      },
    });
    const assigned = await eventually(
      async () => {
        const r = await p.http('GET', `/v1/orders/${orderId}`, { token: customer });
        return r.body.state === 'RIDER_ASSIGNED' ? r.body : undefined;
      },
      30_000,
      'RIDER_ASSIGNED on the order',
    );
    expect(assigned).toMatchObject({
      merchantName: 'Kitchen m-ride',
      pickupAddress: '1 Nanjing East Road, Huangpu, Shanghai',
    });

    await ping();
    const tracked = await p.http('GET', `/v1/orders/${orderId}/tracking`, { token: customer });
    expect(tracked.status).toBe(200);
    expect(tracked.body).toMatchObject({ orderId, riderId: 'r-ride' });
    expect(tracked.body.riderPosition.lat).toBeCloseTo(rider.lat, 4);
    expect(Date.parse(tracked.body.eta)).toBeGreaterThan(Date.now());
    const stranger = await p.token('customer', 'c-stranger');
    expect((await p.http('GET', `/v1/orders/${orderId}/tracking`, { token: stranger })).status).toBe(404);
    expect((await p.http('GET', `/v1/orders/${orderId}/tracking`, { token: merchant })).status).toBe(403);

    expect(await ping({ lat: 31.2287, lng: 121.4545 })).toMatchObject({ status: 202 }); // at the counter
    const picked = await p.http('POST', `/v1/rider/orders/${orderId}/picked-up`, { token: courier });
    expect(picked).toMatchObject({ status: 200, body: { orderId } });
    const carrying = await p.http('GET', '/v1/rider/orders', { token: courier });
    expect(carrying.body.orders).toMatchObject([{ orderId, state: 'PICKED_UP' }]);
    const delivered = await p.http('POST', `/v1/rider/orders/${orderId}/delivered`, { token: courier });
    expect(delivered).toMatchObject({ status: 200, body: { orderId } });
    expect((await p.http('GET', '/v1/rider/orders', { token: courier })).body).toEqual({ orders: [] });
    await eventually(
      async () => {
        const r = await p.http('GET', `/v1/orders/${orderId}`, { token: customer });
        return r.body.state === 'DELIVERED' ? true : undefined;
      },
      30_000,
      'DELIVERED on the order',
    );
    // The rider reported the delivery from the restaurant, 1.8 km from the door: it went through
    // (HANDOVER_CHECK=flag) and the timeline says so; the pickup at the counter carries no mark.
    const timeline = await p.http('GET', `/v1/orders/${orderId}/timeline`, { token: customer });
    const marks = Object.fromEntries(
      timeline.body.entries.map((e: { toState: string; reason?: string }) => [e.toState, e.reason ?? null]),
    );
    expect(marks).toMatchObject({ PICKED_UP: null, DELIVERED: 'FAR_FROM_DROPOFF' });
    const offline = await p.http('POST', '/v1/rider/shift', { token: courier, body: { online: false } });
    expect(offline).toMatchObject({ status: 200, body: { status: 'OFFLINE' } });
  });
});
