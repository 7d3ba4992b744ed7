import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { setTimeout as sleep } from 'node:timers/promises';
import { codedError, err, ok } from '@mealpeak/core';
import { createGrpcServer, type GrpcServer } from '@mealpeak/grpc';
import { createLogger, SpanKind } from '@mealpeak/telemetry';
import { installInMemoryTracing, type InMemoryTracing } from '@mealpeak/telemetry/testing';
import { OrderServiceService, OrderState, type Order } from '@mealpeak/contracts/order.v1';
import { createMerchantGrpcAdapter } from '../src/adapters/merchant-grpc.ts';
import { createOrderGrpcAdapter } from '../src/adapters/order-grpc.ts';
import { createHarness, type Harness } from './support/harness.ts';

/**
 * The gateway with its real gRPC adapters against an in-process OrderService: deadlines below the
 * request timeout, error codes carried over the wire, an unreachable service as a 503.
 */

const SLOW = '5a1e5a1e-0000-4000-8000-000000000001';
const MISSING = '5a1e5a1e-0000-4000-8000-000000000002';
const FOUND = '5a1e5a1e-0000-4000-8000-000000000003';
const logger = createLogger({ service: 'gateway-test', level: 'silent' });
const order = (id: string): Order => ({
  id,
  customerId: 'c-1',
  merchantId: 'm-1',
  state: OrderState.ORDER_STATE_ACCEPTED,
  lines: [
    {
      itemId: 'i-1',
      name: 'Pho',
      quantity: 2,
      unitPrice: { amountMinor: 1290, currency: 'EUR' },
      lineTotal: { amountMinor: 2580, currency: 'EUR' },
    },
  ],
  total: { amountMinor: 2580, currency: 'EUR' },
  pickup: { lat: 52.52, lng: 13.405 },
  dropoff: { lat: 52.5, lng: 13.4 },
  dropoffAddress: 'Somestr. 1',
  merchantName: 'Pho Rosenthaler',
  pickupAddress: '',
  placedAt: new Date('2026-11-22T11:58:00.250Z'),
  updatedAt: new Date('2026-11-22T12:00:00Z'),
  expectedReadyAt: new Date('2026-11-22T12:15:00Z'),
  promisedAt: undefined,
  riderId: '',
  reason: '',
  version: 2,
});

let server: GrpcServer;
let placeDeadline: Date | undefined;
const adapters: { close(): void }[] = [];
let h: Harness;
let tracing: InMemoryTracing;

beforeAll(async () => {
  tracing = installInMemoryTracing();
  server = createGrpcServer({ logger, host: '127.0.0.1', port: 0 });
  server.add(OrderServiceService, {
    placeOrder: async (req, call) => {
      placeDeadline = call.deadline;
      return ok({ order: order(req.orderId) });
    },
    getOrder: async (req, call) => {
      if (req.orderId === SLOW) {
        await sleep(5_000, undefined, { signal: call.signal }).catch(() => undefined);
        return ok({ order: order(req.orderId) });
      }
      if (req.orderId === MISSING)
        return err(codedError('not_found', 'ORDER_NOT_FOUND', `order ${req.orderId} does not exist`));
      return ok({ order: order(req.orderId) });
    },
    listOrders: async () => ok({ orders: [], nextPageToken: '' }),
    transitionOrder: async () => err(codedError('conflict', 'ORDER_NOT_CANCELLABLE', 'too late')),
    getOrderTimeline: async () => ok({ entries: [] }),
    countOrdersByState: async () => ok({ counts: [{ state: OrderState.ORDER_STATE_PLACED, count: 7 }] }),
  });
  await server.start();
});
afterEach(async () => {
  await h?.close();
  adapters.splice(0).forEach((a) => a.close());
});
afterAll(async () => {
  await server?.shutdown(1_000);
  await tracing?.shutdown();
});

async function gateway(env: Record<string, string> = {}): Promise<Harness> {
  const config = {
    GRPC_DEADLINE_MS: Number(env['GRPC_DEADLINE_MS'] ?? 3_000),
    PLACE_ORDER_DEADLINE_MS: Number(env['PLACE_ORDER_DEADLINE_MS'] ?? 5_000),
  };
  const orders = createOrderGrpcAdapter({
    target: `127.0.0.1:${server.port}`,
    deadlineMs: config.GRPC_DEADLINE_MS,
    placeOrderDeadlineMs: config.PLACE_ORDER_DEADLINE_MS,
  });
  // Nothing listens on port 1: the merchant service is down.
  const merchants = createMerchantGrpcAdapter({ target: '127.0.0.1:1', deadlineMs: config.GRPC_DEADLINE_MS });
  adapters.push(orders, merchants);
  h = await createHarness({ env, ports: { orders, merchants } });
  return h;
}

describe('gateway over gRPC', () => {
  it('maps the proto order to JSON (times in ISO 8601 UTC, empty fields left out)', async () => {
    await gateway();
    const res = await h.call({ url: `/v1/ops/orders/${FOUND}`, as: ['ops', 'ops-1'] });
    expect(res.statusCode).toBe(200);
    const body = res.json<Record<string, unknown>>();
    expect(body).toMatchObject({
      id: FOUND,
      state: 'ACCEPTED',
      placedAt: '2026-11-22T11:58:00.250Z',
      expectedReadyAt: '2026-11-22T12:15:00.000Z',
      total: { amountMinor: 2580, currency: 'EUR' },
      merchantName: 'Pho Rosenthaler',
    });
    expect(body).not.toHaveProperty('riderId');
    expect(body).not.toHaveProperty('pickupAddress'); // empty: the merchant has none on file
    expect(body).not.toHaveProperty('promisedAt');
  });

  it('carries the service error code across the hop', async () => {
    await gateway();
    const res = await h.call({ url: `/v1/ops/orders/${MISSING}`, as: ['ops', 'ops-1'] });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ code: 'ORDER_NOT_FOUND' });
  });

  it('gives up on a slow service at GRPC_DEADLINE_MS with 504, well inside the request timeout', async () => {
    await gateway({ GRPC_DEADLINE_MS: '200' });
    const res = await h.call({ url: `/v1/ops/orders/${SLOW}`, as: ['ops', 'ops-1'] });
    expect(res.statusCode).toBe(504);
    expect(res.json()).toMatchObject({ code: 'UPSTREAM_TIMEOUT' });
  });

  it('caps a call deadline by what is left of the request', async () => {
    // PlaceOrder may take 1900 ms, but the request must be answered 250 ms before its 2000 ms.
    await gateway({
      REQUEST_TIMEOUT_MS: '2000',
      GRPC_DEADLINE_MS: '1000',
      PLACE_ORDER_DEADLINE_MS: '1900',
      CONNECTION_TIMEOUT_MS: '3000',
    });
    const sent = Date.now();
    const res = await h.call({
      method: 'POST',
      url: '/v1/orders',
      payload: {
        merchantId: 'm-1',
        lines: [{ itemId: 'i-1', quantity: 2 }],
        dropoff: { lat: 52.5, lng: 13.4 },
        dropoffAddress: 'x',
      },
      headers: { 'idempotency-key': 'grpc-1' },
      as: ['customer', 'c-1'],
    });
    expect(res.statusCode).toBe(201);
    const budget = (placeDeadline?.getTime() ?? 0) - sent;
    expect(budget).toBeGreaterThan(1_500);
    expect(budget).toBeLessThan(1_850); // uncapped, it would be 1900 after the call started
  });

  it('answers 503 with Retry-After when a service cannot be reached', async () => {
    await gateway();
    // A write: not retried, so the refused connection surfaces at once as UNAVAILABLE.
    const res = await h.call({
      method: 'PUT',
      url: '/v1/merchant/status',
      payload: { status: 'OPEN' },
      as: ['merchant', 'm-1'],
    });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE' });
    expect(res.headers['retry-after']).toBe('5');
  });

  it("answers 502, not 401, when the service refuses the gateway's internal token", async () => {
    // The same OrderService, behind a server expecting another GRPC_INTERNAL_TOKEN.
    const guarded = createGrpcServer({
      logger,
      host: '127.0.0.1',
      port: 0,
      internalToken: 'the-services-token-of-at-least-32-chars',
    });
    guarded.add(OrderServiceService, {
      placeOrder: async (req) => ok({ order: order(req.orderId) }),
      getOrder: async (req) => ok({ order: order(req.orderId) }),
      listOrders: async () => ok({ orders: [], nextPageToken: '' }),
      transitionOrder: async () => err(codedError('conflict', 'ORDER_NOT_CANCELLABLE', 'too late')),
      getOrderTimeline: async () => ok({ entries: [] }),
      countOrdersByState: async () => ok({ counts: [] }),
    });
    await guarded.start();
    try {
      const orders = createOrderGrpcAdapter({
        target: `127.0.0.1:${guarded.port}`,
        internalToken: 'the-gateways-other-token-of-32-chars',
        deadlineMs: 3_000,
        placeOrderDeadlineMs: 5_000,
      });
      adapters.push(orders);
      h = await createHarness({ ports: { orders } });
      const res = await h.call({ url: `/v1/ops/orders/${FOUND}`, as: ['ops', 'ops-1'] });
      expect(res.statusCode).toBe(502);
      expect(res.json()).toMatchObject({ code: 'UPSTREAM_ERROR' });
    } finally {
      await guarded.shutdown(1_000);
    }
  });

  it("starts a trace of its own, linked to the caller's, and carries it into the gRPC call", async () => {
    await gateway();
    tracing.reset();
    // A client on the internet chooses neither the trace id nor the sampling (the 01 flag).
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const res = await h.call({
      url: `/v1/ops/orders/${FOUND}`,
      headers: { traceparent: `00-${traceId}-00f067aa0ba902b7-01` },
      as: ['ops', 'ops-1'],
    });
    expect(res.statusCode).toBe(200);
    const spans = tracing.spans();
    const root = spans.find((s) => s.kind === SpanKind.SERVER && s.name === 'GET /v1/ops/orders/:orderId');
    expect(root, spans.map((s) => s.name).join(', ')).toBeDefined();
    expect(root?.spanContext().traceId).not.toBe(traceId);
    expect(root?.parentSpanContext).toBeUndefined();
    expect(root?.links.map((l) => l.context.spanId)).toEqual(['00f067aa0ba902b7']);
    const grpcServerSpan = spans.find((s) => s.kind === SpanKind.SERVER && s.name.endsWith('/GetOrder'));
    expect(grpcServerSpan?.spanContext().traceId).toBe(root?.spanContext().traceId);
    // The handler span is named after the route, not after the plugin's source text.
    expect(spans.map((s) => s.name)).toContain('handler GET /v1/ops/orders/:orderId');
    expect(spans.every((s) => s.name.length < 80)).toBe(true);
  });

  it('keeps the query string (coordinates) out of url.path', async () => {
    await gateway();
    tracing.reset();
    await h.call({ url: '/v1/merchants?lat=52.520008&lng=13.404954', as: ['customer', 'c-1'] });
    const root = tracing.spans().find((s) => s.attributes['fastify.root'] === '@fastify/otel');
    expect(root?.attributes['url.path']).toBe('/v1/merchants');
    expect(JSON.stringify(tracing.spans().map((s) => s.attributes))).not.toContain('52.520008');
  });
});
