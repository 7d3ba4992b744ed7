import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { Kafka, logLevel } from 'kafkajs';
import { ActorRole } from '@mealpeak/contracts/common.v1';
import {
  OrderCommand,
  OrderServiceClient,
  OrderServiceService,
  OrderStateChanged,
} from '@mealpeak/contracts/order.v1';
import { call, checkHealth, createGrpcClient } from '@mealpeak/grpc';
import { TOPICS, decodeEnvelope, newEventId, prefixTopics, type Envelope } from '@mealpeak/kafka';
import { createLogger } from '@mealpeak/telemetry';
import {
  createTestDatabase,
  createTestKafka,
  eventually,
  externalIPv4,
  reachable,
  spawnTs,
  type SpawnedProcess,
  type TestDatabase,
  type TestKafka,
} from '@mealpeak/testing';
import pg from 'pg';
import { startFakeMerchant } from './fake-merchant.ts';

const main = fileURLToPath(new URL('../src/main.ts', import.meta.url));
const logger = createLogger({ service: 'crash-test', level: 'silent' });

describe('order service killed between commit and publish', () => {
  let db: TestDatabase;
  let tk: TestKafka;
  let merchant: Awaited<ReturnType<typeof startFakeMerchant>>;
  const procs: SpawnedProcess[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
    tk = await createTestKafka();
    merchant = await startFakeMerchant(logger);
  });
  afterAll(async () => {
    for (const p of procs) p.kill('SIGKILL');
    await merchant?.server.shutdown(1_000);
    await tk?.cleanup();
    await db?.drop();
  });

  async function startOrderService(env: Record<string, string>) {
    const proc = spawnTs(main, {
      PG_URL: db.url,
      KAFKA_BROKERS: tk.brokers.join(','),
      KAFKA_TOPIC_PREFIX: prefix,
      MERCHANT_GRPC_TARGET: merchant.target,
      GRPC_PORT: '0',
      OPS_PORT: '0',
      LOG_LEVEL: 'info',
      ...env,
    });
    procs.push(proc);
    const m = await proc.waitForLine(/"port":(\d+).*"msg":"gRPC server listening"/, 60_000);
    await proc.waitForLine(/"msg":"order ready"/, 30_000);
    return { proc, target: `127.0.0.1:${m[1]}` };
  }
  let prefix: string;

  it('publishes every committed state change after a restart', async () => {
    prefix = tk.topic('');
    const topics = prefixTopics(TOPICS, prefix);
    const first = await startOrderService({ OUTBOX_RELAY_ENABLED: 'false' });
    const client = createGrpcClient(OrderServiceClient, OrderServiceService, {
      target: first.target,
      defaultDeadlineMs: 5_000,
      idempotent: [],
    });
    const ids: string[] = [];
    for (let i = 0; i < 12; i++) {
      const orderId = newEventId();
      const placed = await call(client.placeOrder.bind(client), {
        orderId,
        customerId: `c-${i}`,
        merchantId: 'm-1',
        lines: [{ itemId: 'i-1', quantity: 1 }],
        dropoff: { lat: 31.2, lng: 121.4 },
        dropoffAddress: '',
      });
      expect(placed.ok).toBe(true);
      ids.push(orderId);
    }
    for (const orderId of ids.slice(0, 4)) {
      const accepted = await call(client.transitionOrder.bind(client), {
        orderId,
        command: OrderCommand.ORDER_COMMAND_ACCEPT,
        actor: { role: ActorRole.ACTOR_ROLE_MERCHANT, id: 'm-1' },
        reason: '',
        prepSeconds: 600,
        riderId: '',
      });
      expect(accepted.ok).toBe(true);
    }
    client.close();

    // Committed, not yet published: 16 rows wait in the outbox when the process dies.
    const pgClient = new pg.Client({ connectionString: db.url });
    await pgClient.connect();
    expect((await pgClient.query('SELECT count(*)::int AS n FROM orders.outbox')).rows[0]).toEqual({ n: 16 });
    first.proc.kill('SIGKILL');
    expect(await first.proc.exited()).toBe('SIGKILL');

    const seen: Envelope[] = [];
    const reader = new Kafka({
      clientId: 'reader',
      brokers: tk.brokers,
      logLevel: logLevel.NOTHING,
    }).consumer({ groupId: `${prefix}reader` });
    await reader.connect();
    await reader.subscribe({ topic: topics.orderEvents.name, fromBeginning: true });
    await reader.run({ eachMessage: async ({ message }) => void seen.push(decodeEnvelope(message.value!)) });
    try {
      await startOrderService({});
      await eventually(
        () => (new Set(seen.map((e) => e.eventId)).size >= 16 ? true : undefined),
        60_000,
        '16 events after the restart',
      );
      const perOrder = new Map<string, number[]>();
      for (const e of seen) {
        const change = OrderStateChanged.decode(e.payload);
        perOrder.set(e.key, [...(perOrder.get(e.key) ?? []), change.toState]);
      }
      expect([...perOrder.keys()].sort()).toEqual([...ids].sort());
      for (const id of ids.slice(0, 4)) expect(perOrder.get(id)).toEqual([1, 2]);
      for (const id of ids.slice(4)) expect(perOrder.get(id)).toEqual([1]);
      await eventually(
        async () =>
          (await pgClient.query<{ n: number }>('SELECT count(*)::int AS n FROM orders.outbox')).rows[0]?.n ===
          0
            ? true
            : undefined,
        10_000,
        'an empty outbox',
      );
    } finally {
      await reader.disconnect();
      await pgClient.end();
    }
  });

  it('purges inbox claims older than the retention while it runs, and keeps newer ones', async () => {
    prefix = tk.topic('');
    const pgClient = new pg.Client({ connectionString: db.url });
    await pgClient.connect();
    try {
      // The schema exists since the first case migrated it; two claims, 10 days and 1 hour old.
      await pgClient.query(
        `INSERT INTO orders.processed_events (consumer, event_id, processed_at) VALUES
           ('order', '0190f3c1-0000-7000-8000-0000000000a1', now() - interval '10 days'),
           ('order', '0190f3c1-0000-7000-8000-0000000000a2', now() - interval '1 hour')`,
      );
      await startOrderService({ INBOX_RETENTION_HOURS: '192', INBOX_PURGE_INTERVAL_MS: '200' });
      await eventually(
        async () => {
          const { rows } = await pgClient.query<{ event_id: string }>(
            "SELECT event_id FROM orders.processed_events WHERE event_id::text LIKE '%0000000000a_'",
          );
          return rows.length === 1 ? rows.map((r) => r.event_id) : undefined;
        },
        10_000,
        'the old claim purged',
      ).then((left) => expect(left).toEqual(['0190f3c1-0000-7000-8000-0000000000a2']));
    } finally {
      await pgClient.end();
    }
  });

  it('answers health NOT_SERVING during the drain delay of a SIGTERM, then exits 0', async () => {
    prefix ??= tk.topic('');
    const svc = await startOrderService({ SHUTDOWN_DRAIN_DELAY_MS: '1500' });
    expect(await checkHealth(svc.target)).toBe('SERVING');
    svc.proc.kill('SIGTERM');
    await sleep(400);
    expect(await checkHealth(svc.target)).toBe('NOT_SERVING');
    expect(await svc.proc.exited()).toBe(0);
  });

  it('fails on a taken gRPC port before joining its consumer group', async () => {
    prefix ??= tk.topic('');
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, resolve));
    try {
      const port = (holder.address() as { port: number }).port;
      const proc = spawnTs(main, {
        PG_URL: db.url,
        KAFKA_BROKERS: tk.brokers.join(','),
        KAFKA_TOPIC_PREFIX: prefix,
        MERCHANT_GRPC_TARGET: merchant.target,
        GRPC_PORT: String(port),
        OPS_PORT: '0',
        LOG_LEVEL: 'info',
      });
      procs.push(proc);
      expect(await proc.exited()).not.toBe(0);
      const logged = (msg: string) => proc.lines.some((l) => l.includes(`"msg":"${msg}"`));
      expect(logged('migrations checked')).toBe(true); // it got that far
      expect(logged('consumer started')).toBe(false);
    } finally {
      holder.close();
    }
  });

  // A non-loopback address of this machine, if it has one (a CI box does; a bare sandbox may not).
  const external = externalIPv4();

  it('with GRPC_INTERNAL_TOKEN set, answers only callers that carry it (health stays open)', async () => {
    prefix ??= tk.topic('');
    const token = 'order-test-internal-token-0123456789abcdef';
    const svc = await startOrderService({ GRPC_INTERNAL_TOKEN: token });
    const clientWith = (internalToken?: string) =>
      createGrpcClient(OrderServiceClient, OrderServiceService, {
        target: svc.target,
        defaultDeadlineMs: 3_000,
        idempotent: ['getOrder'],
        internalToken,
      });
    const [anonymous, platform] = [clientWith(), clientWith(token)];
    try {
      const get = (c: OrderServiceClient) =>
        call(c.getOrder.bind(c), { orderId: newEventId(), customerId: '' });
      expect(await get(anonymous)).toMatchObject({ ok: false, error: { code: 'INTERNAL_TOKEN_REQUIRED' } });
      expect(await get(platform)).toMatchObject({ ok: false, error: { code: 'ORDER_NOT_FOUND' } });
      expect(await checkHealth(svc.target)).toBe('SERVING');
    } finally {
      anonymous.close();
      platform.close();
      svc.proc.kill('SIGTERM');
      await svc.proc.exited();
    }
  });

  it.skipIf(!external)(
    'listens on LISTEN_HOST only: gRPC and ops on loopback for a shared host',
    async () => {
      prefix ??= tk.topic('');
      const svc = await startOrderService({ LISTEN_HOST: '127.0.0.1', OPS_PORT: '0' });
      const grpcPort = Number(svc.target.split(':')[1]);
      const opsPort = Number(
        /"port":(\d+).*"msg":"ops server listening"/.exec(svc.proc.lines.join('\n'))?.[1],
      );
      expect(await reachable('127.0.0.1', grpcPort)).toBe(true);
      expect(await reachable(external!, grpcPort)).toBe(false);
      if (opsPort) expect(await reachable(external!, opsPort)).toBe(false);
      svc.proc.kill('SIGTERM');
      expect(await svc.proc.exited()).toBe(0);
    },
  );
});
