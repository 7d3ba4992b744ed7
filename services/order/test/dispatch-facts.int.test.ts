import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { OrderStateChanged, OrderState as ProtoState } from '@mealpeak/contracts/order.v1';
import { createPool, migrate, type Pool } from '@mealpeak/db';
import {
  EVENTS,
  TOPICS,
  createConsumer,
  createKafka,
  createProducer,
  deadLetterTopic,
  prefixTopics,
  type EventConsumer,
  type EventProducer,
} from '@mealpeak/kafka';
import { createOutbox } from '@mealpeak/outbox';
import { createLogger } from '@mealpeak/telemetry';
import {
  createTestDatabase,
  createTestKafka,
  eventually,
  type TestDatabase,
  type TestKafka,
} from '@mealpeak/testing';
import { buildOrderApp } from '../src/app.ts';
import { FakeReservations, ManualClock } from './fakes.ts';

/** What the service logs, kept to see what the consumer did with a fact it did not apply. */
const logged: { msg?: string; eventId?: string; code?: string }[] = [];
const logger = createLogger({
  service: 'order-test',
  level: 'info',
  destination: { write: (line: string) => void logged.push(JSON.parse(line) as (typeof logged)[number]) },
});
const migrations = fileURLToPath(new URL('../migrations', import.meta.url));
const merchant = { role: 'merchant', id: 'm-1' } as const;

/**
 * Dispatch facts produced by hand onto dispatch.events.v1 in an order a dead-letter replay can
 * produce, consumed by the order service's real consumer (docs/kafka.md#facts-ahead-of-the-order).
 */
describe('dispatch facts ahead of the order, through Kafka and PostgreSQL', () => {
  let db: TestDatabase;
  let tk: TestKafka;
  let pool: Pool;
  let producer: EventProducer;
  let consumer: EventConsumer;
  let app: ReturnType<typeof buildOrderApp>;

  beforeAll(async () => {
    [db, tk] = await Promise.all([createTestDatabase(), createTestKafka()]);
    pool = createPool({
      url: db.url,
      max: 8,
      schema: 'orders',
      statementTimeoutMs: 5_000,
      applicationName: 't',
    });
    await migrate(pool, 'orders', migrations);
    const prefix = tk.topic('');
    const topics = prefixTopics(TOPICS, prefix);
    const dispatchEvents = topics.dispatchEvents.name;
    await tk.createTopics(
      [dispatchEvents, deadLetterTopic(dispatchEvents)].map((name) => ({ name, partitions: 3 })),
    );
    app = buildOrderApp({
      pool,
      outbox: createOutbox({ schema: 'orders', partitions: 4 }),
      reservations: new FakeReservations(),
      clock: new ManualClock(new Date()),
      policy: { acceptTimeoutSeconds: 120, promiseMarginSeconds: 900, riderSpeedMps: 5 },
      logger,
      topics,
    });
    const kafka = createKafka({ brokers: tk.brokers, clientId: 'order-test', logger });
    producer = createProducer(kafka, 'rider-dispatch');
    await producer.connect();
    consumer = createConsumer(kafka, { ...app.consumer, groupId: `${prefix}order`, logger });
    await consumer.start();
    await consumer.joined();
  });
  afterAll(async () => {
    await consumer?.stop();
    await producer?.disconnect();
    await pool?.end();
    await tk?.cleanup();
    await db?.drop();
  });

  const topic = () => prefixTopics(TOPICS, tk.topic('')).dispatchEvents;
  const applied = async (eventId: string) =>
    (await pool.query('SELECT 1 FROM processed_events WHERE event_id = $1', [eventId])).rowCount === 1
      ? true
      : undefined;
  const publish = async (
    type: typeof EVENTS.orderPickedUp | typeof EVENTS.orderDelivered,
    orderId: string,
  ) => {
    const [eventId] = await producer.publish(topic(), [
      { type, key: orderId, payload: { orderId, riderId: 'r-1' } },
    ]);
    await eventually(() => applied(eventId!), 20_000, `${type.name} applied`);
  };
  const assign = async (orderId: string, riderId: string, assignedAt: Date) => {
    const [eventId] = await producer.publish(topic(), [
      {
        type: EVENTS.riderAssigned,
        key: orderId,
        payload: { orderId, riderId, offerId: randomUUID(), sequence: 0, etaPickup: undefined, assignedAt },
      },
    ]);
    return eventId!;
  };
  const readyOrder = async (orderId: string) => {
    const { useCases } = app;
    const placed = await useCases.placeOrder({
      orderId,
      customerId: 'c-1',
      merchantId: 'm-1',
      lines: [{ itemId: 'i-1', quantity: 1 }],
      dropoff: { lat: 31.2, lng: 121.4 },
      dropoffAddress: 'x',
    });
    expect(placed.ok).toBe(true);
    await useCases.transition(orderId, { kind: 'ACCEPT', prepSeconds: 60 }, merchant);
    await useCases.transition(orderId, { kind: 'MARK_READY' }, merchant);
  };

  it('delivers an order whose delivery was consumed before its pickup, and the pickup then changes nothing', async () => {
    const orderId = '0190f3c1-0000-7000-8000-0000000000d1';
    const { useCases } = app;
    await readyOrder(orderId);
    await useCases.transition(
      orderId,
      { kind: 'ASSIGN_RIDER', riderId: 'r-1' },
      { role: 'system', id: 'dispatch' },
    );

    await publish(EVENTS.orderDelivered, orderId);
    const got = await useCases.getOrder(orderId);
    expect(got.ok && got.value).toMatchObject({ state: 'DELIVERED', riderId: 'r-1', version: 6 });

    await publish(EVENTS.orderPickedUp, orderId); // the overtaken fact, replayed
    const timeline = await useCases.timeline(orderId);
    expect(timeline.ok && timeline.value.map((c) => [c.to, c.reason ?? ''])).toEqual([
      ['PLACED', ''],
      ['ACCEPTED', ''],
      ['READY_FOR_PICKUP', ''],
      ['RIDER_ASSIGNED', ''],
      ['PICKED_UP', 'IMPLIED_BY_DELIVERY'],
      ['DELIVERED', ''],
    ]);
    // Both changes are published, each as its own snapshot version, for merchant and dispatch.
    const { rows } = await pool.query<{ payload: Buffer }>(
      'SELECT payload FROM outbox WHERE key = $1 AND event_type = $2 ORDER BY id',
      [orderId, EVENTS.orderStateChanged.name],
    );
    const changes = rows.map((r) => OrderStateChanged.decode(r.payload)).slice(-2);
    expect(changes.map((c) => [c.toState, c.order?.version])).toEqual([
      [ProtoState.ORDER_STATE_PICKED_UP, 5],
      [ProtoState.ORDER_STATE_DELIVERED, 6],
    ]);
  });

  it('ignores an assignment replayed after dispatch gave the order to another rider (ADR 0013)', async () => {
    const orderId = '0190f3c1-0000-7000-8000-0000000000d2';
    const { useCases } = app;
    await readyOrder(orderId);
    const t1 = new Date(Date.now() - 300_000);
    const t2 = new Date(Date.now() - 60_000); // rider A went silent, dispatch took the order back
    for (const [riderId, at] of [
      ['r-a', t1],
      ['r-b', t2],
    ] as const) {
      const eventId = await assign(orderId, riderId, at);
      await eventually(() => applied(eventId), 20_000, `RiderAssigned(${riderId}) applied`);
    }

    // A's assignment again, as a copy the inbox does not know (replayed from the dead letters
    // after its claim was purged, or republished under another event id).
    const replayed = await assign(orderId, 'r-a', t1);
    const outcome = await eventually(
      async () =>
        (await applied(replayed))
          ? 'applied'
          : logged.find((l) => l.eventId === replayed && l.msg === 'stale rider assignment ignored')
            ? 'ignored'
            : undefined,
      20_000,
      'the replayed RiderAssigned handled',
    );
    expect(outcome).toBe('ignored');

    const got = await useCases.getOrder(orderId);
    expect(got.ok && got.value).toMatchObject({ state: 'RIDER_ASSIGNED', riderId: 'r-b', version: 5 });
    const timeline = await useCases.timeline(orderId);
    expect(timeline.ok && timeline.value.slice(3).map((c) => [c.to, c.reason ?? ''])).toEqual([
      ['RIDER_ASSIGNED', ''],
      ['RIDER_ASSIGNED', 'REASSIGNED'],
    ]);
    // Nothing published for the stale fact: the last snapshot still names B.
    const { rows } = await pool.query<{ payload: Buffer }>(
      'SELECT payload FROM outbox WHERE key = $1 AND event_type = $2 ORDER BY id',
      [orderId, EVENTS.orderStateChanged.name],
    );
    const snapshots = rows.map((r) => OrderStateChanged.decode(r.payload).order);
    expect(snapshots.map((o) => [o?.version, o?.riderId])).toEqual([
      [1, ''],
      [2, ''],
      [3, ''],
      [4, 'r-a'],
      [5, 'r-b'],
    ]);
  });
});
