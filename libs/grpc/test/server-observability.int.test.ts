import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { setTimeout as sleep } from 'node:timers/promises';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { codedError, err, ok } from '@mealpeak/core';
import {
  OrderServiceClient,
  OrderServiceService,
  OrderState,
  type Order,
} from '@mealpeak/contracts/order.v1';
import { createLogger } from '@mealpeak/telemetry';
import {
  installInMemoryMetrics,
  installInMemoryTracing,
  type InMemoryMetrics,
  type InMemoryTracing,
} from '@mealpeak/telemetry/testing';

/**
 * What the gRPC server wrapper records about the calls it answers and refuses: the duration
 * metric's status code, the server span, the log lines. An in-process server and client.
 */

// Instruments bind to the meter provider in force when their module loads: install it first.
const metrics: InMemoryMetrics = installInMemoryMetrics();
const tracing: InMemoryTracing = installInMemoryTracing();
const { call, createGrpcClient, createGrpcServer } = await import('../src/index.ts');

const TOKEN = 'the-platform-token-of-at-least-32-chars';
const logged: Record<string, unknown>[] = [];
const logger = createLogger({
  service: 'grpc-test',
  level: 'debug',
  destination: { write: (l: string) => void logged.push(JSON.parse(l) as Record<string, unknown>) },
});

const order = (id: string): Order => ({
  id,
  customerId: 'c-1',
  merchantId: 'm-1',
  state: OrderState.ORDER_STATE_PLACED,
  lines: [],
  total: undefined,
  pickup: undefined,
  merchantName: '',
  pickupAddress: '',
  dropoff: undefined,
  dropoffAddress: '',
  placedAt: undefined,
  updatedAt: undefined,
  expectedReadyAt: undefined,
  promisedAt: undefined,
  riderId: '',
  reason: '',
  version: 1,
});

const server = createGrpcServer({ logger, host: '127.0.0.1', port: 0, internalToken: TOKEN });
server.add(OrderServiceService, {
  placeOrder: async (req) => ok({ order: order(req.orderId) }),
  getOrder: async (req, call) => {
    switch (req.orderId) {
      case 'slow':
        await sleep(400, undefined, { signal: call.signal }).catch(() => undefined);
        return ok({ order: order(req.orderId) });
      case 'missing':
        return err(codedError('not_found', 'ORDER_NOT_FOUND', 'no such order'));
      case 'db-down':
        return err(codedError('unavailable', 'DEPENDENCY_UNAVAILABLE', 'the database is away'));
      case 'bug':
        return err(codedError('internal', 'INTERNAL', 'a bug the handler caught'));
      default:
        return ok({ order: order(req.orderId) });
    }
  },
  listOrders: async () => ok({ orders: [], nextPageToken: '' }),
  transitionOrder: async () => err(codedError('conflict', 'ORDER_NOT_CANCELLABLE', 'too late')),
  getOrderTimeline: async () => ok({ entries: [] }),
  countOrdersByState: async () => ok({ counts: [] }),
});

let client: InstanceType<typeof OrderServiceClient>;
let intruder: InstanceType<typeof OrderServiceClient>;

beforeAll(async () => {
  await server.start();
  const settings = { target: `127.0.0.1:${server.port}`, defaultDeadlineMs: 2_000, idempotent: [] };
  client = createGrpcClient(OrderServiceClient, OrderServiceService, { ...settings, internalToken: TOKEN });
  intruder = createGrpcClient(OrderServiceClient, OrderServiceService, {
    ...settings,
    internalToken: 'another-token-of-at-least-32-characters',
  });
});
afterAll(async () => {
  client?.close();
  intruder?.close();
  await server.shutdown(1_000);
  await tracing.shutdown();
  await metrics.shutdown();
});
beforeEach(() => {
  tracing.reset();
  logged.length = 0;
});

/** Calls the server recorded in rpc.server.duration for `method`, by status code. */
async function serverCalls(method: string): Promise<Record<number, number>> {
  const byCode: Record<number, number> = {};
  for (const p of await metrics.counts('rpc.server.duration'))
    if (p.attributes['rpc.method'] === method) {
      const code = Number(p.attributes['rpc.grpc.status_code']);
      byCode[code] = (byCode[code] ?? 0) + p.count;
    }
  return byCode;
}

describe('a call refused for a wrong internal token', () => {
  it('is counted in the server metric as UNAUTHENTICATED and logged as an error', async () => {
    const before = (await serverCalls('CountOrdersByState'))[16] ?? 0;
    const res = await call(intruder.countOrdersByState.bind(intruder), { merchantId: '' });
    expect(res).toMatchObject({
      ok: false,
      error: { kind: 'unauthenticated', code: 'INTERNAL_TOKEN_REQUIRED' },
    });
    expect((await serverCalls('CountOrdersByState'))[16]).toBe(before + 1);
    expect(logged).toContainEqual(
      expect.objectContaining({ level: 'error', method: expect.stringMatching(/CountOrdersByState$/) }),
    );
  });
});

type ReadableSpan = ReturnType<InMemoryTracing['spans']>[number];

/** The finished server and client spans of GetOrder, once both ended (the server's may end later). */
async function getOrderSpans(): Promise<{ server: ReadableSpan; client: ReadableSpan }> {
  const until = Date.now() + 5_000;
  for (;;) {
    const spans = tracing.spans().filter((s) => s.name.endsWith('/GetOrder'));
    const server = spans.find((s) => s.kind === SpanKind.SERVER);
    const client = spans.find((s) => s.kind === SpanKind.CLIENT);
    if (server && client) return { server, client };
    if (Date.now() > until) throw new Error(`GetOrder spans not finished: ${spans.length}`);
    await sleep(10);
  }
}

const getOrder = (orderId: string, deadlineMs = 2_000) =>
  call(client.getOrder.bind(client), { orderId }, { deadlineMs });

describe('the status of a call', () => {
  it('is DEADLINE_EXCEEDED on the server too when the deadline passed, not the late answer', async () => {
    const before = await serverCalls('GetOrder');
    const res = await getOrder('slow', 100);
    expect(res).toMatchObject({ ok: false, error: { kind: 'timeout' } });
    const { server } = await getOrderSpans();
    expect(server.attributes['rpc.grpc.status_code']).toBe(4);
    expect(server.status.code).toBe(SpanStatusCode.ERROR);
    const after = await serverCalls('GetOrder');
    expect(after[4]).toBe((before[4] ?? 0) + 1);
    expect(after[0] ?? 0).toBe(before[0] ?? 0);
  });

  it('is CANCELLED when the client gives up, and not a failure of the server', async () => {
    const before = await serverCalls('GetOrder');
    await new Promise<void>((resolve) => {
      const pending = client.getOrder({ orderId: 'slow' }, () => resolve());
      setTimeout(() => pending.cancel(), 50);
    });
    const { server } = await getOrderSpans();
    expect(server.attributes['rpc.grpc.status_code']).toBe(1);
    expect(server.status.code).toBe(SpanStatusCode.UNSET);
    expect((await serverCalls('GetOrder'))[1]).toBe((before[1] ?? 0) + 1);
  });

  it('marks neither span failed for a business answer (NOT_FOUND), and logs nothing', async () => {
    expect(await getOrder('missing')).toMatchObject({ ok: false, error: { code: 'ORDER_NOT_FOUND' } });
    const { server, client } = await getOrderSpans();
    expect(server.attributes['rpc.grpc.status_code']).toBe(5);
    expect(server.status.code).toBe(SpanStatusCode.UNSET);
    expect(client.status.code).toBe(SpanStatusCode.UNSET);
    expect(logged.filter((l) => l['level'] !== 'debug')).toEqual([]);
  });

  it('marks both spans failed for a returned UNAVAILABLE, and logs it as a warning', async () => {
    expect(await getOrder('db-down')).toMatchObject({ ok: false, error: { kind: 'unavailable' } });
    const { server, client } = await getOrderSpans();
    expect(server.attributes['rpc.grpc.status_code']).toBe(14);
    expect(server.status.code).toBe(SpanStatusCode.ERROR);
    expect(client.status.code).toBe(SpanStatusCode.ERROR);
    expect(logged).toContainEqual(
      expect.objectContaining({ level: 'warn', code: 'DEPENDENCY_UNAVAILABLE', kind: 'unavailable' }),
    );
  });

  it('logs a returned INTERNAL as an error', async () => {
    expect(await getOrder('bug')).toMatchObject({ ok: false, error: { kind: 'internal' } });
    await getOrderSpans();
    expect(logged).toContainEqual(expect.objectContaining({ level: 'error', code: 'INTERNAL' }));
  });
});

describe('the server span', () => {
  it('carries the order id when the request names one', async () => {
    await getOrder('5a1e5a1e-0000-4000-8000-00000000000a');
    const { server } = await getOrderSpans();
    expect(server.attributes['mealpeak.order.id']).toBe('5a1e5a1e-0000-4000-8000-00000000000a');
  });
});
