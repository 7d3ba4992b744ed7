import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
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
  getOrder: async (req) => ok({ order: order(req.orderId) }),
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
