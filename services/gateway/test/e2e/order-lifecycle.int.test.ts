import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { OrderStateChanged, OrderState, RefundRequested } from '@mealpeak/contracts/order.v1';
import { EVENTS } from '@mealpeak/kafka';
import { eventually } from '@mealpeak/testing';
import { orderBody as order, startPlatform, type Platform } from './platform.ts';

describe('order lifecycle through the gateway, against the real services', () => {
  let p: Platform;
  let customer: string;
  let merchant: string;

  beforeAll(async () => {
    // A short acceptance window, so the timeout test does not wait minutes.
    p = await startPlatform({
      serviceEnv: { order: { ACCEPT_TIMEOUT_SECONDS: '4', ACCEPT_SWEEP_INTERVAL_MS: '250' } },
    });
    await p.seedMerchant('m-e2e', [
      { id: 'noodles', stock: 1_000 },
      { id: 'scarce', stock: 50 },
      { id: 'timeout-dish', stock: 10 },
    ]);
    customer = await p.token('customer', 'c-e2e-1');
    merchant = await p.token('merchant', 'm-e2e');
  }, 180_000);
  afterAll(async () => p?.stop(), 60_000);

  const stateChanges = (orderId: string) =>
    p
      .events('order.events.v1')
      .filter((e) => e.key === orderId && e.type === EVENTS.orderStateChanged.name)
      .map((e) => OrderStateChanged.decode(e.payload));

  it('takes an order from placement to READY_FOR_PICKUP, publishing each step on Kafka', async () => {
    const placed = await p.http('POST', '/v1/orders', {
      token: customer,
      body: order('m-e2e', 'noodles', 2),
      headers: { 'idempotency-key': randomUUID() },
    });
    expect(placed.status).toBe(201);
    expect(placed.body).toMatchObject({
      state: 'PLACED',
      customerId: 'c-e2e-1',
      merchantId: 'm-e2e',
      total: { amountMinor: 5000, currency: 'CNY' },
      version: 1,
    });
    // The promise: the merchant's 10 min preparation (idle kitchen) + 1.84 km at 5 m/s (6.1 min)
    // + the 15 min margin = 31.1, rounded up to 32 minutes after placement.
    expect(Date.parse(placed.body.promisedAt) - Date.parse(placed.body.placedAt)).toBe(32 * 60_000);
    const id = placed.body.id as string;

    const incoming = await p.http('GET', '/v1/merchant/orders?state=PLACED', { token: merchant });
    const listed = incoming.body.orders.find((o: { id: string }) => o.id === id);
    // The merchant sees until when it may accept (the acceptance timeout after placement).
    expect(Date.parse(listed.acceptBy)).toBeGreaterThan(Date.parse(placed.body.placedAt));
    expect(listed.acceptBy).toBe(placed.body.acceptBy);
    const accepted = await p.http('POST', `/v1/merchant/orders/${id}/accept`, { token: merchant });
    expect(accepted.status).toBe(200);
    expect(accepted.body).toMatchObject({ state: 'ACCEPTED' });
    expect(accepted.body.acceptBy).toBeUndefined();
    expect(Date.parse(accepted.body.expectedReadyAt)).toBeGreaterThan(Date.parse(placed.body.placedAt));
    const ready = await p.http('POST', `/v1/merchant/orders/${id}/ready`, { token: merchant });
    expect(ready.body).toMatchObject({ state: 'READY_FOR_PICKUP' });

    const tracked = await p.http('GET', `/v1/orders/${id}`, { token: customer });
    expect(tracked.body).toMatchObject({ id, state: 'READY_FOR_PICKUP', version: 3 });
    const timeline = await p.http('GET', `/v1/orders/${id}/timeline`, { token: customer });
    expect(timeline.body.entries.map((e: { toState: string }) => e.toState)).toEqual([
      'PLACED',
      'ACCEPTED',
      'READY_FOR_PICKUP',
    ]);

    await eventually(
      () => (stateChanges(id).length >= 3 ? true : undefined),
      30_000,
      'three events on Kafka',
    );
    const changes = stateChanges(id);
    expect(changes.map((c) => [c.fromState, c.toState])).toEqual([
      [OrderState.ORDER_STATE_UNSPECIFIED, OrderState.ORDER_STATE_PLACED],
      [OrderState.ORDER_STATE_PLACED, OrderState.ORDER_STATE_ACCEPTED],
      [OrderState.ORDER_STATE_ACCEPTED, OrderState.ORDER_STATE_READY_FOR_PICKUP],
    ]);
    expect(changes.map((c) => c.order?.version)).toEqual([1, 2, 3]);
    expect(changes[1]?.actor).toMatchObject({ id: 'm-e2e' });
  });

  it('creates exactly one order for 50 concurrent placements with one Idempotency-Key', async () => {
    const key = randomUUID();
    const body = order('m-e2e', 'noodles', 1);
    const responses = await Promise.all(
      Array.from({ length: 50 }, () =>
        p.http('POST', '/v1/orders', { token: customer, body, headers: { 'idempotency-key': key } }),
      ),
    );
    expect(responses.map((r) => r.status)).toEqual(Array(50).fill(201));
    const bodies = new Set(responses.map((r) => JSON.stringify(r.body)));
    expect(bodies.size).toBe(1);
    const id = responses[0]!.body.id as string;
    const client = new pg.Client({ connectionString: p.db.url });
    await client.connect();
    try {
      const { rows } = await client.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM orders.orders WHERE id = $1',
        [id],
      );
      expect(rows[0]?.n).toBe(1);
      const reservations = await client.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM merchants.reservations WHERE order_id = $1',
        [id],
      );
      expect(reservations.rows[0]?.n).toBe(1);
    } finally {
      await client.end();
    }
    const reused = await p.http('POST', '/v1/orders', {
      token: customer,
      body: order('m-e2e', 'noodles', 3),
      headers: { 'idempotency-key': key },
    });
    expect(reused).toMatchObject({ status: 409, body: { code: 'IDEMPOTENCY_KEY_REUSED' } });
  });

  it('sells exactly the 50 units in stock to 200 concurrent customers', async () => {
    const tokens = await Promise.all(
      Array.from({ length: 200 }, (_, i) => p.token('customer', `c-stock-${i}`)),
    );
    const responses = await Promise.all(
      tokens.map((token) =>
        p.http('POST', '/v1/orders', {
          token,
          body: order('m-e2e', 'scarce', 1),
          headers: { 'idempotency-key': randomUUID() },
        }),
      ),
    );
    const statuses = responses.map((r) => r.status);
    // Anything but a sale or a stock refusal is shown whole (a 503/504 on a starved machine).
    const unexpected = responses.filter((r) => r.status !== 201 && r.body?.code !== 'STOCK_EXHAUSTED');
    expect(unexpected.map((r) => ({ status: r.status, body: r.body }))).toEqual([]);
    expect(statuses.filter((s) => s === 201)).toHaveLength(50);
    const refused = responses.filter((r) => r.status !== 201);
    expect(refused).toHaveLength(150);
    for (const r of refused)
      expect(r).toMatchObject({
        status: 409,
        body: { code: 'STOCK_EXHAUSTED', fields: [{ field: 'lines[0].quantity' }] },
      });
    const menu = await p.http('GET', '/v1/merchant', { token: merchant });
    expect(menu.body.menu.find((i: { id: string }) => i.id === 'scarce')).toMatchObject({ stock: 0 });
  });

  it('rejects an order the merchant does not accept in time, refunds it and puts the stock back', async () => {
    const placed = await p.http('POST', '/v1/orders', {
      token: customer,
      body: order('m-e2e', 'timeout-dish', 2),
      headers: { 'idempotency-key': randomUUID() },
    });
    expect(placed.status).toBe(201);
    const id = placed.body.id as string;
    const rejected = await eventually(
      async () => {
        const r = await p.http('GET', `/v1/orders/${id}`, { token: customer });
        return r.body.state === 'REJECTED' ? r.body : undefined;
      },
      30_000,
      'the acceptance timeout',
    );
    expect(rejected).toMatchObject({ state: 'REJECTED', reason: 'MERCHANT_TIMEOUT' });
    const late = await p.http('POST', `/v1/merchant/orders/${id}/accept`, { token: merchant });
    expect(late).toMatchObject({ status: 409, body: { code: 'ILLEGAL_TRANSITION' } });
    await eventually(
      () =>
        p.events('order.events.v1').some((e) => e.key === id && e.type === EVENTS.refundRequested.name)
          ? true
          : undefined,
      30_000,
      'the refund event',
    );
    const refund = RefundRequested.decode(
      p.events('order.events.v1').find((e) => e.key === id && e.type === EVENTS.refundRequested.name)!
        .payload,
    );
    expect(refund).toMatchObject({ orderId: id, reason: 'MERCHANT_TIMEOUT', amount: { amountMinor: 5000 } });
    // The merchant consumes the REJECTED event and releases the reservation.
    await eventually(
      async () => {
        const menu = await p.http('GET', '/v1/merchant', { token: merchant });
        return menu.body.menu.find((i: { id: string }) => i.id === 'timeout-dish')?.stock === 10
          ? true
          : undefined;
      },
      30_000,
      'the stock to come back',
    );
  });

  it('keeps every party to its own orders', async () => {
    const placed = await p.http('POST', '/v1/orders', {
      token: customer,
      body: order('m-e2e', 'noodles'),
      headers: { 'idempotency-key': randomUUID() },
    });
    const id = placed.body.id as string;
    const stranger = await p.token('customer', 'c-e2e-stranger');
    const otherMerchant = await p.token('merchant', 'm-other');
    const ops = await p.token('ops', 'ops-1');
    expect((await p.http('GET', `/v1/orders/${id}`, { token: stranger })).status).toBe(404);
    expect(
      (await p.http('POST', `/v1/orders/${id}/cancel`, { token: stranger, body: { reason: 'MINE' } })).status,
    ).toBe(404);
    expect((await p.http('POST', `/v1/merchant/orders/${id}/accept`, { token: otherMerchant })).status).toBe(
      404,
    );
    expect((await p.http('GET', `/v1/orders/${id}`, { token: merchant })).status).toBe(403);
    expect((await p.http('GET', `/v1/ops/orders/${id}`, { token: ops })).body).toMatchObject({
      id,
      state: 'PLACED',
    });
    // Counts by state: the live order whatever the window; the window is echoed and checked by
    // the order service (a field error on since, not a 5xx).
    const counts = await p.http('GET', '/v1/ops/orders/counts?merchantId=m-e2e', { token: ops });
    expect(counts.status).toBe(200);
    expect((counts.body.counts as Record<string, number>).PLACED).toBeGreaterThanOrEqual(1);
    expect(Date.now() - Date.parse(counts.body.since as string)).toBeGreaterThan(23 * 3_600_000);
    const tooOld = new Date(Date.now() - 8 * 24 * 3_600_000).toISOString();
    const refused = await p.http('GET', `/v1/ops/orders/counts?since=${tooOld}`, { token: ops });
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({ code: 'INVALID_ARGUMENT', fields: [{ field: 'since' }] });
    expect((await p.http('GET', '/v1/ops/orders/counts', { token: customer })).status).toBe(403);
    expect((await p.http('GET', `/v1/orders/${id}`)).status).toBe(401);
    const cancelled = await p.http('POST', `/v1/orders/${id}/cancel`, {
      token: customer,
      body: { reason: 'CHANGED_MIND' },
    });
    expect(cancelled.body).toMatchObject({ state: 'CANCELLED', reason: 'CHANGED_MIND' });
  });

  it('cancels without a reason, and finds an order by its id in upper case', async () => {
    const place = async (dropoffAddress = 'Torstr. 1') => {
      const r = await p.http('POST', '/v1/orders', {
        token: customer,
        body: { ...order('m-e2e', 'noodles'), dropoffAddress },
        headers: { 'idempotency-key': randomUUID() },
      });
      expect(r.status).toBe(201);
      return r.body.id as string;
    };
    const first = await place();
    // The documented optional body: none at all, and an empty object.
    const bare = await p.http('POST', `/v1/orders/${first}/cancel`, { token: customer });
    expect({ status: bare.status, body: bare.body }).toMatchObject({
      status: 200,
      body: { state: 'CANCELLED', reason: 'NO_REASON_GIVEN' },
    });
    // The 500 characters the API allows, counted as JSON Schema counts them (1,000 UTF-16 units).
    const second = await place('🏠'.repeat(500));
    const empty = await p.http('POST', `/v1/orders/${second.toUpperCase()}/cancel`, {
      token: customer,
      body: {},
    });
    expect(empty.body).toMatchObject({ id: second, state: 'CANCELLED', reason: 'NO_REASON_GIVEN' });
    const third = await place();
    const accepted = await p.http('POST', `/v1/merchant/orders/${third.toUpperCase()}/accept`, {
      token: merchant,
    });
    expect({ status: accepted.status, body: accepted.body }).toMatchObject({
      status: 200,
      body: { id: third, state: 'ACCEPTED' },
    });
  });

  it('answers bad input with 4xx and a named field, never 5xx', async () => {
    const cases: [string, string, unknown, number, string?][] = [
      [
        'POST',
        '/v1/orders',
        { ...order('m-e2e', 'noodles'), lines: [{ itemId: 'noodles', quantity: -1 }] },
        400,
        'lines[0].quantity',
      ],
      ['POST', '/v1/orders', { ...order('m-e2e', 'noodles'), extra: true }, 400, 'extra'],
      [
        'POST',
        '/v1/orders',
        { ...order('m-e2e', 'noodles'), dropoff: { lat: 'north', lng: 0 } },
        400,
        'dropoff.lat',
      ],
      ['POST', '/v1/orders', order('m-e2e', 'no-such-dish'), 404, 'lines[0].itemId'],
      // ~26 km from the merchant, which delivers within the default 5 km: 409 OUT_OF_DELIVERY_AREA.
      [
        'POST',
        '/v1/orders',
        { ...order('m-e2e', 'noodles'), dropoff: { lat: 31.0, lng: 121.4 } },
        409,
        'dropoff',
      ],
      ['POST', '/v1/orders', order('no-such-merchant', 'noodles'), 404],
      // PostgreSQL cannot store NUL: a field error, not a database failure answered as 503.
      [
        'POST',
        '/v1/orders',
        { ...order('m-e2e', 'noodles'), dropoffAddress: 'Torstr.\u0000 1' },
        400,
        'dropoffAddress',
      ],
      ['GET', '/v1/orders/not-a-uuid', undefined, 400, 'orderId'],
      ['GET', `/v1/orders/${randomUUID()}`, undefined, 404],
    ];
    for (const [method, path, body, status, field] of cases) {
      const r = await p.http(method, path, {
        token: customer,
        ...(body !== undefined ? { body } : {}),
        headers: { 'idempotency-key': randomUUID() },
      });
      expect({ path, body, status: r.status }).toEqual({ path, body, status });
      expect(r.body).toMatchObject({
        code: expect.any(String),
        message: expect.any(String),
        requestId: expect.any(String),
      });
      if (field) expect(r.body.fields.map((f: { field: string }) => f.field)).toContain(field);
    }
  });
  it('lets a merchant edit its store: the next order carries the new name, address and estimate', async () => {
    await p.seedMerchant('m-edit', [{ id: 'soup', stock: 10 }]);
    const owner = await p.token('merchant', 'm-edit');
    // Before any order of this merchant: placement's short-lived cache holds nothing of it yet.
    const edited = await p.http('PATCH', '/v1/merchant', {
      token: owner,
      body: { name: 'Noodle Bar', address: ' 2 Nanjing East Road ', basePrepSeconds: 300 },
    });
    expect(edited.status, JSON.stringify(edited.body)).toBe(200);
    expect(edited.body).toMatchObject({
      merchant: {
        id: 'm-edit',
        name: 'Noodle Bar',
        address: '2 Nanjing East Road',
        prepEstimateSeconds: 300,
        timeZone: 'Asia/Shanghai',
        kitchen: { capacity: 50 },
      },
      menu: [{ id: 'soup', stock: 10 }],
    });
    const placed = await p.http('POST', '/v1/orders', {
      token: customer,
      body: order('m-edit', 'soup'),
      headers: { 'idempotency-key': randomUUID() },
    });
    expect(placed.body).toMatchObject({ merchantName: 'Noodle Bar', pickupAddress: '2 Nanjing East Road' });
    // 5 min preparation now (was 10) + 6.1 min riding + the 15 min margin, rounded up.
    expect(Date.parse(placed.body.promisedAt) - Date.parse(placed.body.placedAt)).toBe(27 * 60_000);
  });
});
