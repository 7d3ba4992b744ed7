/**
 * The real platform for end-to-end tests: fresh database, topics and processes per test file,
 * a seeded merchant, and small helpers to call the gateway as each role.
 */
import { Kafka, logLevel } from 'kafkajs';
import { MerchantServiceClient, MerchantServiceService } from '@mealpeak/contracts/merchant.v1';
import { call, createGrpcClient } from '@mealpeak/grpc';
import { decodeEnvelope, type Envelope } from '@mealpeak/kafka';
import { startStack, type ServiceName, type Stack } from '@mealpeak/stack';
import {
  createTestDatabase,
  createTestKafka,
  createTestRedis,
  type TestDatabase,
  type TestKafka,
  type TestRedis,
} from '@mealpeak/testing';

/** A POST /v1/orders body for `quantity` of one item, to a drop-off near the seeded merchants. */
export const orderBody = (merchantId: string, itemId: string, quantity = 1) => ({
  merchantId,
  lines: [{ itemId, quantity }],
  dropoff: { lat: 31.2304, lng: 121.4737 },
  dropoffAddress: "People's Square 1",
});

export interface Platform {
  stack: Stack;
  prefix: string;
  db: TestDatabase;
  /** Calls the gateway; returns status, parsed body and headers. */
  http(
    method: string,
    path: string,
    opts?: { token?: string; body?: unknown; headers?: Record<string, string> },
  ): Promise<{ status: number; body: any; headers: Headers }>;
  token(role: 'customer' | 'merchant' | 'rider' | 'ops', sub: string): Promise<string>;
  seedMerchant(
    merchantId: string,
    items: { id: string; stock: number; priceMinor?: number }[],
  ): Promise<void>;
  /** Every envelope seen on a topic (prefix applied) since the platform started. */
  events(topic: string): Envelope[];
  stop(): Promise<void>;
}

export async function startPlatform(
  opts: {
    services?: ServiceName[];
    replicas?: Partial<Record<ServiceName, number>>;
    serviceEnv?: Partial<Record<ServiceName, Record<string, string>>>;
    topics?: string[];
  } = {},
): Promise<Platform> {
  const db = await createTestDatabase();
  const kafka: TestKafka = await createTestKafka();
  const redis: TestRedis = await createTestRedis();
  const prefix = kafka.topic('');
  const stack = await startStack({
    pgUrl: db.url,
    redisUrl: redis.url,
    kafkaBrokers: kafka.brokers.join(','),
    topicPrefix: prefix,
    services: opts.services ?? ['merchant', 'order', 'gateway'],
    ...(opts.replicas ? { replicas: opts.replicas } : {}),
    serviceEnv: {
      ...opts.serviceEnv,
      // Admission control has its own tests; here it must not throttle or shed the scenario
      // (a busy 2-core machine running six services would otherwise look overloaded).
      gateway: {
        MAX_EVENT_LOOP_UTILIZATION: '0',
        MAX_EVENT_LOOP_DELAY_MS: '0',
        RATE_LIMIT_PER_MINUTE_CUSTOMER: '100000',
        RATE_LIMIT_PER_MINUTE_MERCHANT: '100000',
        RATE_LIMIT_PER_MINUTE_OPS: '100000',
        RATE_LIMIT_PER_MINUTE_DEV_TOKENS: '100000',
        // Hundreds of concurrent requests of one test client (dev tokens from one address).
        MAX_IN_FLIGHT_PER_CLIENT: '100000',
        ...opts.serviceEnv?.gateway,
      },
    },
    env: { LOG_LEVEL: 'warn' },
  });
  const seen = new Map<string, Envelope[]>();
  const reader = new Kafka({
    clientId: 'e2e-reader',
    brokers: kafka.brokers,
    logLevel: logLevel.NOTHING,
  }).consumer({ groupId: `${prefix}e2e-reader` });
  await reader.connect();
  for (const t of opts.topics ?? ['order.events.v1'])
    await reader.subscribe({ topic: `${prefix}${t}`, fromBeginning: true });
  await reader.run({
    eachMessage: async ({ topic, message }) => {
      const list = seen.get(topic) ?? [];
      list.push(decodeEnvelope(message.value!));
      seen.set(topic, list);
    },
  });

  const http: Platform['http'] = async (method, path, o = {}) => {
    const res = await fetch(`${stack.gatewayUrl}${path}`, {
      method,
      headers: {
        ...(o.body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(o.token ? { authorization: `Bearer ${o.token}` } : {}),
        ...o.headers,
      },
      ...(o.body !== undefined ? { body: JSON.stringify(o.body) } : {}),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined, headers: res.headers };
  };

  return {
    stack,
    prefix,
    db,
    http,
    token: async (role, sub) => {
      const res = await http('POST', '/v1/dev/tokens', { body: { role, sub } });
      if (res.status !== 201) throw new Error(`dev token: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body.token as string;
    },
    seedMerchant: async (merchantId, items) => {
      const client = createGrpcClient(MerchantServiceClient, MerchantServiceService, {
        target: stack.target('merchant'),
        defaultDeadlineMs: 5_000,
        idempotent: [],
      });
      try {
        const everyDay = Array.from({ length: 7 }, (_, d) => ({
          dayOfWeek: d,
          openMinute: 0,
          closeMinute: 1440,
        }));
        const m = await call(client.upsertMerchant.bind(client), {
          merchantId,
          name: `Kitchen ${merchantId}`,
          address: '1 Nanjing East Road, Huangpu, Shanghai',
          location: { lat: 31.2286, lng: 121.4545 },
          timeZone: 'Asia/Shanghai',
          openingHours: everyDay,
          kitchenCapacity: 50,
          autoPauseBacklog: 0,
          basePrepSeconds: 600,
          currency: 'CNY',
          deliveryRadiusM: 5_000,
        });
        if (!m.ok) throw new Error(`seed merchant: ${m.error.code}`);
        for (const item of items) {
          const r = await call(client.upsertMenuItem.bind(client), {
            merchantId,
            itemId: item.id,
            replaceOnly: false,
            keepStock: false,
            name: `Dish ${item.id}`,
            description: '',
            price: { amountMinor: item.priceMinor ?? 2500, currency: 'CNY' },
            stock: item.stock,
            available: true,
          });
          if (!r.ok) throw new Error(`seed item: ${r.error.code}`);
        }
      } finally {
        client.close();
      }
    },
    events: (topic) => seen.get(`${prefix}${topic}`) ?? [],
    stop: async () => {
      await reader.disconnect().catch(() => undefined);
      await stack.stop();
      await kafka.cleanup();
      await redis.cleanup();
      await db.drop();
    },
  };
}
