import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RefundRequested } from '@mealpeak/contracts/order.v1';
import { EVENTS } from '@mealpeak/kafka';
import { eventually } from '@mealpeak/testing';
import { orderBody, startPlatform, type Platform } from './platform.ts';

/**
 * Cancellation by the merchant and by ops through the gateway, against the real order and merchant
 * services: the order service's rules (docs/adr/0006: merchant while ACCEPTED, ops any unfinished
 * order) reach the client, and every cancellation publishes a refund.
 */
describe('cancellation by merchant and ops, against the real services', () => {
  let p: Platform;
  let customer: string;
  let merchant: string;
  let ops: string;

  beforeAll(async () => {
    p = await startPlatform();
    await p.seedMerchant('m-cancel', [{ id: 'soup', stock: 1_000 }]);
    customer = await p.token('customer', 'c-cancel');
    merchant = await p.token('merchant', 'm-cancel');
    ops = await p.token('ops', 'ops-cancel');
  }, 180_000);
  afterAll(async () => p?.stop(), 60_000);

  const place = async (): Promise<string> => {
    const r = await p.http('POST', '/v1/orders', {
      token: customer,
      body: orderBody('m-cancel', 'soup', 2),
      headers: { 'idempotency-key': randomUUID() },
    });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    return r.body.id as string;
  };
  const refundOf = (orderId: string) =>
    eventually(
      () => {
        const e = p
          .events('order.events.v1')
          .find((x) => x.key === orderId && x.type === EVENTS.refundRequested.name);
        return e ? RefundRequested.decode(e.payload) : undefined;
      },
      30_000,
      'the refund event',
    );
  const lastActor = async (orderId: string) => {
    const t = await p.http('GET', `/v1/ops/orders/${orderId}/timeline`, { token: ops });
    return (t.body.entries as { toState: string; actor: object }[]).at(-1);
  };

  it('lets the merchant cancel an accepted order only, refunding the customer', async () => {
    const id = await place();
    const tooEarly = await p.http('POST', `/v1/merchant/orders/${id}/cancel`, {
      token: merchant,
      body: { reason: 'OUT_OF_STOCK' },
    });
    expect(tooEarly).toMatchObject({ status: 409, body: { code: 'ILLEGAL_TRANSITION' } });
    expect((await p.http('POST', `/v1/merchant/orders/${id}/accept`, { token: merchant })).status).toBe(200);

    const stranger = await p.token('merchant', 'm-stranger');
    const foreign = await p.http('POST', `/v1/merchant/orders/${id}/cancel`, {
      token: stranger,
      body: { reason: 'OTHER' },
    });
    expect(foreign).toMatchObject({ status: 404, body: { code: 'ORDER_NOT_FOUND' } });

    const cancelled = await p.http('POST', `/v1/merchant/orders/${id}/cancel`, {
      token: merchant,
      body: { reason: 'OUT_OF_STOCK' },
      headers: { 'idempotency-key': `cancel-${id}` },
    });
    expect(cancelled).toMatchObject({
      status: 200,
      body: { id, state: 'CANCELLED', reason: 'OUT_OF_STOCK' },
    });
    expect(await lastActor(id)).toEqual(
      expect.objectContaining({ toState: 'CANCELLED', actor: { role: 'MERCHANT', id: 'm-cancel' } }),
    );
    expect(await refundOf(id)).toMatchObject({
      orderId: id,
      customerId: 'c-cancel',
      reason: 'OUT_OF_STOCK',
      amount: { amountMinor: 5000 },
    });
    const tracking = await p.http('GET', `/v1/orders/${id}/tracking`, { token: customer });
    expect(tracking).toMatchObject({ status: 409, body: { code: 'ORDER_CANCELLED' } });
  });

  it('refuses a merchant cancel once the food is ready', async () => {
    const id = await place();
    expect((await p.http('POST', `/v1/merchant/orders/${id}/accept`, { token: merchant })).status).toBe(200);
    expect((await p.http('POST', `/v1/merchant/orders/${id}/ready`, { token: merchant })).status).toBe(200);
    const late = await p.http('POST', `/v1/merchant/orders/${id}/cancel`, {
      token: merchant,
      body: { reason: 'TOO_BUSY' },
    });
    expect(late).toMatchObject({ status: 409, body: { code: 'ILLEGAL_TRANSITION' } });
  });

  it('lets ops cancel an order the merchant never accepted, once', async () => {
    const id = await place();
    const cancelled = await p.http('POST', `/v1/ops/orders/${id}/cancel`, {
      token: ops,
      body: { reason: 'FRAUD_SUSPECTED' },
    });
    expect(cancelled).toMatchObject({
      status: 200,
      body: { id, state: 'CANCELLED', reason: 'FRAUD_SUSPECTED' },
    });
    expect(await lastActor(id)).toEqual(
      expect.objectContaining({ toState: 'CANCELLED', actor: { role: 'OPS', id: 'ops-cancel' } }),
    );
    expect(await refundOf(id)).toMatchObject({ orderId: id, reason: 'FRAUD_SUSPECTED' });
    // Cancelled before acceptance: dispatch never heard of it, the answer is still ORDER_CANCELLED.
    const tracking = await p.http('GET', `/v1/orders/${id}/tracking`, { token: customer });
    expect(tracking).toMatchObject({ status: 409, body: { code: 'ORDER_CANCELLED' } });
    const again = await p.http('POST', `/v1/ops/orders/${id}/cancel`, {
      token: ops,
      body: { reason: 'FRAUD_SUSPECTED' },
    });
    expect(again).toMatchObject({ status: 409, body: { code: 'ILLEGAL_TRANSITION' } });
  });

  it('names pageToken when a merchants page token belongs to another query', async () => {
    const first = await p.http('GET', '/v1/merchants?lat=31.2286&lng=121.4545&pageSize=1', {
      token: customer,
    });
    expect(first.status).toBe(200);
    const foreign = Buffer.from(JSON.stringify({ d: 1, i: 'm-cancel', q: 'another|query' })).toString(
      'base64url',
    );
    const res = await p.http('GET', `/v1/merchants?lat=31.2286&lng=121.4545&pageToken=${foreign}`, {
      token: customer,
    });
    expect(res).toMatchObject({
      status: 400,
      body: { code: 'INVALID_ARGUMENT', fields: [{ field: 'pageToken' }] },
    });
  });
});
