import { fileURLToPath } from 'node:url';
import { Kafka, logLevel } from 'kafkajs';
import pg from 'pg';
import { DispatchServiceClient, DispatchServiceService } from '@mealpeak/contracts/dispatch.v1';
import { OrderState, type OrderStateChanged } from '@mealpeak/contracts/order.v1';
import { createGrpcClient } from '@mealpeak/grpc';
import {
  EVENTS,
  TOPICS,
  createKafka,
  createProducer,
  decodeEnvelope,
  deadLetterTopic,
  prefixTopics,
  type Envelope,
  type EventProducer,
} from '@mealpeak/kafka';
import {
  createTestDatabase,
  createTestKafka,
  createTestRedis,
  spawnTs,
  type SpawnedProcess,
  type TestDatabase,
  type TestKafka,
  type TestRedis,
} from '@mealpeak/testing';
import { randomUUID } from 'node:crypto';
import { createPool, migrate, type Pool } from '@mealpeak/db';
import { createOutbox } from '@mealpeak/outbox';
import { createRedis, type Redis } from '@mealpeak/redis';
import { createPositionReader, createPositionWriter, type PositionWriter } from '@mealpeak/rider-positions';
import { createRedisZoneLeases } from '../src/adapters/redis-zone-leases.ts';
import { buildDispatchApp, type DispatchApp } from '../src/app.ts';
import type { Clock } from '../src/app/ports.ts';
import { centre, logger, testSettings } from './world.ts';

const migrations = fileURLToPath(new URL('../migrations', import.meta.url));

const main = fileURLToPath(new URL('../src/main.ts', import.meta.url));

export interface Infra {
  readonly db: TestDatabase;
  readonly redis: TestRedis;
  readonly kafka: TestKafka;
  /** KAFKA_TOPIC_PREFIX of this test file. */
  readonly prefix: string;
  readonly topics: typeof TOPICS;
  readonly producer: EventProducer;
  /** Queries against the service's schema. */
  readonly sql: pg.Pool;
  cleanup(): Promise<void>;
}

/** A database, a Redis key prefix and Kafka topics of this test file only. */
export async function startInfra(): Promise<Infra> {
  const [db, redis, kafka] = await Promise.all([createTestDatabase(), createTestRedis(), createTestKafka()]);
  const prefix = kafka.topic('');
  const topics = prefixTopics(TOPICS, prefix);
  const names = [topics.orderEvents.name, topics.dispatchEvents.name];
  // Created here (not by the service) so the fixture deletes them afterwards.
  await kafka.createTopics(
    [...names, ...names.map(deadLetterTopic)].map((name) => ({ name, partitions: 3 })),
  );
  const producer = createProducer(
    createKafka({ brokers: kafka.brokers, clientId: 'order-stand-in', logger }),
    'order',
  );
  await producer.connect();
  const sql = new pg.Pool({ connectionString: db.url, options: '-c search_path=dispatch', max: 4 });
  return {
    db,
    redis,
    kafka,
    prefix,
    topics,
    producer,
    sql,
    async cleanup() {
      await producer.disconnect();
      await sql.end();
      await Promise.all([kafka.cleanup(), redis.cleanup()]);
      await db.drop();
    },
  };
}

export interface Replica {
  readonly id: string;
  readonly proc: SpawnedProcess;
  readonly client: DispatchServiceClient;
}

/** The real service (src/main.ts) in its own process. */
export async function spawnReplica(
  infra: Infra,
  id: string,
  env: Record<string, string> = {},
): Promise<Replica> {
  const proc = spawnTs(main, {
    PG_URL: infra.db.url,
    REDIS_URL: infra.redis.url,
    REDIS_KEY_PREFIX: infra.redis.prefix,
    KAFKA_BROKERS: infra.kafka.brokers.join(','),
    KAFKA_TOPIC_PREFIX: infra.prefix,
    REPLICA_ID: id,
    GRPC_PORT: '0',
    OPS_PORT: '0',
    LOG_LEVEL: 'info',
    ...env,
  });
  const m = await proc.waitForLine(/"port":(\d+).*"msg":"gRPC server listening"/, 60_000);
  await proc.waitForLine(/"msg":"rider-dispatch ready"/, 30_000);
  const client = createGrpcClient(DispatchServiceClient, DispatchServiceService, {
    target: `127.0.0.1:${m[1]}`,
    defaultDeadlineMs: 5_000,
    idempotent: [],
  });
  return { id, proc, client };
}

export interface OrderInput {
  readonly orderId: string;
  readonly pickup?: { lat: number; lng: number };
  readonly dropoff?: { lat: number; lng: number };
  readonly dropoffAddress?: string;
  /** Default: named and addressed; '' as an order service from before the fields sends. */
  readonly merchantName?: string;
  readonly pickupAddress?: string;
  readonly merchantId?: string;
  readonly readyInS?: number;
}

/** An OrderStateChanged snapshot exactly as the order service publishes it. */
export function orderSnapshot(o: OrderInput, toState: OrderState, version: number): OrderStateChanged {
  const now = Date.now();
  return {
    order: {
      id: o.orderId,
      customerId: `c-${o.orderId}`,
      merchantId: o.merchantId ?? `m-${o.orderId}`,
      state: toState,
      lines: [],
      total: { amountMinor: 1_000, currency: 'CNY' },
      pickup: o.pickup ?? centre,
      dropoff: o.dropoff ?? { lat: centre.lat + 0.01, lng: centre.lng },
      dropoffAddress: o.dropoffAddress ?? `${o.orderId} Huaihai Rd`,
      merchantName: o.merchantName ?? `Kitchen ${o.merchantId ?? `m-${o.orderId}`}`,
      pickupAddress: o.pickupAddress ?? '88 Huaihai Rd',
      placedAt: new Date(now - 120_000),
      updatedAt: new Date(now),
      expectedReadyAt: new Date(now + (o.readyInS ?? 0) * 1000),
      promisedAt: new Date(now + 40 * 60_000),
      riderId: '',
      reason: toState === OrderState.ORDER_STATE_CANCELLED ? 'CUSTOMER' : '',
      version,
    },
    fromState: OrderState.ORDER_STATE_UNSPECIFIED,
    toState,
    actor: undefined,
    reason: '',
  };
}

export async function publishOrders(
  infra: Infra,
  orders: readonly OrderInput[],
  toState: OrderState = OrderState.ORDER_STATE_ACCEPTED,
  version = 2,
): Promise<void> {
  await infra.producer.publish(
    infra.topics.orderEvents,
    orders.map((o) => ({
      type: EVENTS.orderStateChanged,
      key: o.orderId,
      payload: orderSnapshot(o, toState, version),
    })),
  );
}

/** Every envelope published to dispatch.events.v1 from now on. */
export async function readDispatchEvents(infra: Infra): Promise<{ seen: Envelope[]; stop(): Promise<void> }> {
  const seen: Envelope[] = [];
  const consumer = new Kafka({
    clientId: 'reader',
    brokers: infra.kafka.brokers,
    logLevel: logLevel.NOTHING,
  }).consumer({
    groupId: `${infra.prefix}reader`,
  });
  await consumer.connect();
  await consumer.subscribe({ topic: infra.topics.dispatchEvents.name, fromBeginning: true });
  await consumer.run({ eachMessage: async ({ message }) => void seen.push(decodeEnvelope(message.value!)) });
  return { seen, stop: () => consumer.disconnect() };
}

/** One dispatch service process (src/main.ts) on fresh infra, with a reader of what it publishes. */
export interface SoloService {
  readonly infra: Infra;
  readonly replica: Replica;
  readonly events: Awaited<ReturnType<typeof readDispatchEvents>>;
}

export async function startSoloService(env: Record<string, string>): Promise<SoloService> {
  const started: { -readonly [K in keyof SoloService]?: SoloService[K] } = {};
  try {
    started.infra = await startInfra();
    started.replica = await spawnReplica(started.infra, 'solo', env);
    started.events = await readDispatchEvents(started.infra);
    return started as SoloService;
  } catch (error) {
    await stopSoloService(started);
    throw error;
  }
}

/** Stops what startSoloService started (and what it had started when it failed). */
export async function stopSoloService(s: Partial<SoloService> | undefined): Promise<void> {
  await s?.events?.stop();
  s?.replica?.client.close();
  s?.replica?.proc.kill('SIGTERM');
  await s?.replica?.proc.exited();
  await s?.infra?.cleanup();
}

export interface OfferRowLite {
  offer_id: string;
  rider_id: string;
  order_ids: string[];
  status: string;
  replica_id: string;
}

export async function offers(infra: Infra): Promise<OfferRowLite[]> {
  const { rows } = await infra.sql.query<OfferRowLite>(
    'SELECT offer_id, rider_id, order_ids, status, replica_id FROM offers ORDER BY created_at',
  );
  return rows;
}

export interface InProcessReplicas {
  readonly apps: DispatchApp[];
  /** The position writer of the last replica (all share one Redis index). */
  readonly writer: PositionWriter;
  close(): Promise<void>;
}

/**
 * Dispatch replicas 'a' and 'b' in this process on `infra`'s PostgreSQL and Redis, sharing one
 * clock: each with its own pool and Redis connection, like two pods. `now` also drives the
 * position index's idea of time (default: the wall clock).
 */
export async function inProcessReplicas(
  infra: Infra,
  options: { clock: Clock; poolMax: number; now?: () => number },
): Promise<InProcessReplicas> {
  const pools: Pool[] = [];
  const clients: Redis[] = [];
  const apps: DispatchApp[] = [];
  const index = options.now ? { now: options.now } : {};
  let writer: PositionWriter | undefined;
  for (const replicaId of ['a', 'b']) {
    const pool = createPool({
      url: infra.db.url,
      max: options.poolMax,
      schema: 'dispatch',
      statementTimeoutMs: 5_000,
      applicationName: replicaId,
    });
    await migrate(pool, 'dispatch', migrations);
    const redis = createRedis({ url: infra.redis.url, logger, keyPrefix: infra.redis.prefix });
    await redis.connect();
    pools.push(pool);
    clients.push(redis);
    writer = createPositionWriter(redis, index);
    apps.push(
      buildDispatchApp({
        pool,
        outbox: createOutbox({ schema: 'dispatch', partitions: 4 }),
        positions: { ...createPositionReader(redis, index), write: writer.write, remove: writer.remove },
        leases: createRedisZoneLeases(redis, 10_000),
        clock: options.clock,
        ids: { newId: randomUUID },
        settings: testSettings({ replicaId }),
        leaseTtlMs: 10_000,
        logger,
        topics: infra.topics,
      }),
    );
  }
  return {
    apps,
    writer: writer!,
    async close() {
      for (const c of clients) c.disconnect();
      for (const p of pools) await p.end();
    },
  };
}
