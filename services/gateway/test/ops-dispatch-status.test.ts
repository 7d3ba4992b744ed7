import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { codedError } from '@mealpeak/core';
import { createHarness, type Harness } from './support/harness.ts';

/** GET /v1/ops/orders/{orderId}/dispatch over a fake DispatchService: what ops see, who may ask. */

const ORDER = '7d3c1a2e-5b6f-4c8d-9e0f-1a2b3c4d5e6f';
const OFFER = '0ffe0ffe-0000-4000-8000-000000000001';
const expiresAt = new Date('2030-01-01T12:00:30.000Z');

let h: Harness;
beforeEach(async () => {
  h = await createHarness();
});
afterEach(() => h.close());

const asOps = { as: ['ops', 'ops-1'] as ['ops', string] };
const dispatchStatus = (id = ORDER) => h.call({ url: `/v1/ops/orders/${id}/dispatch`, ...asOps });

describe('ops: where an order stands in dispatch', () => {
  it('names the rider holding the offer and until when; after a decline, waiting with the decliner listed', async () => {
    h.dispatch.addOffer({ offerId: OFFER, riderId: 'r-1', orderIds: [ORDER], expiresAt });
    const offered = await dispatchStatus();
    expect(offered.statusCode, offered.body).toBe(200);
    expect(offered.json()).toMatchObject({
      orderId: ORDER,
      phase: 'OFFERED',
      pendingOffer: {
        offerId: OFFER,
        riderId: 'r-1',
        outcome: 'PENDING',
        expiresAt: expiresAt.toISOString(),
      },
    });
    expect(offered.json()).not.toHaveProperty('riderId');

    await h.call({ method: 'POST', url: `/v1/rider/offers/${OFFER}/decline`, as: ['rider', 'r-1'] });
    const declined = (await dispatchStatus()).json<Record<string, unknown>>();
    expect(declined).toMatchObject({
      phase: 'WAITING',
      offerCounts: { declined: 1, expired: 0, accepted: 0 },
      recentOffers: [{ riderId: 'r-1', outcome: 'DECLINED' }],
    });
    expect(declined).not.toHaveProperty('pendingOffer');
  });

  it('names the rider who accepted it', async () => {
    h.dispatch.addDelivery({ orderId: ORDER, riderId: 'r-2', state: 'assigned' });
    expect((await dispatchStatus()).json()).toMatchObject({
      phase: 'ASSIGNED',
      riderId: 'r-2',
      assignedAt: '2026-11-22T12:10:00.000Z',
    });
  });

  it('asks dispatch with the order id in lower case', async () => {
    h.dispatch.addDelivery({ orderId: ORDER, riderId: 'r-2', state: 'picked_up' });
    const res = await dispatchStatus(ORDER.toUpperCase());
    expect(res.json()).toMatchObject({ orderId: ORDER, phase: 'PICKED_UP' });
    expect(h.dispatch.calls).toEqual([`getDispatchStatus:${ORDER}`]);
  });

  it('never asks dispatch for another role', async () => {
    h.dispatch.addDelivery({ orderId: ORDER, riderId: 'r-2', state: 'assigned' });
    for (const as of [
      ['customer', 'c-1'],
      ['merchant', 'm-1'],
      ['rider', 'r-2'],
    ] as const) {
      const res = await h.call({ url: `/v1/ops/orders/${ORDER}/dispatch`, as: [...as] });
      expect(res.statusCode).toBe(403);
    }
    expect(h.dispatch.calls).toEqual([]);
  });

  it('passes a dispatch outage on as 503 with Retry-After', async () => {
    h.dispatch.failures.set(
      'getDispatchStatus',
      codedError('unavailable', 'DEPENDENCY_UNAVAILABLE', 'the database is unreachable'),
    );
    const res = await dispatchStatus();
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBe('5');
    expect(res.json()).toMatchObject({ code: 'DEPENDENCY_UNAVAILABLE' });
  });
});
