import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { Kafka, logLevel } from 'kafkajs';
import { OrderStateChanged, OrderState as ProtoState, RefundRequested } from '@mealpeak/contracts/order.v1';
import { createPool, migrate, type Pool } from '@mealpeak/db';
import {
  EVENTS,
  TOPICS,
  createKafka,
  createProducer,
  decodeEnvelope,
  prefixTopics,
  type Envelope,
  type EventProducer,
} from '@mealpeak/kafka';
import { createOutbox, createOutboxRelay, type OutboxRelay } from '@mealpeak/outbox';
import { createLogger } from '@mealpeak/telemetry';
import {
  createTestDatabase,
  createTestKafka,
  eventually,
  type TestDatabase,
  type TestKafka,
} from '@mealpeak/testing';
import { createPgOrderStore } from '../src/adapters/pg-order-store.ts';
import { createOrderUseCases, type OrderUseCases } from '../src/app/use-cases.ts';
import type { PlaceOrderInput } from '../src/domain/placement.ts';
import { FakeReservations, ManualClock } from './fakes.ts';

const logger = createLogger({ service: 'order-test', level: 'silent' });
const migrations = fileURLToPath(new URL('../migrations', import.meta.url));
const merchant = { role: 'merchant', id: 'm-1' } as const;
let seq = 0;
const orderId = () => `0190f3c1-0000-7000-8000-${String(++seq).padStart(12, '0')}`;
const input = (id = orderId()): PlaceOrderInput => ({
  orderId: id,
  customerId: 'c-1',
  merchantId: 'm-1',
  lines: [{ itemId: 'i-1', quantity: 1 }],
  dropoff: { lat: 31.2, lng: 121.4 },
  dropoffAddress: 'x',
});

describe('order store, outbox and relay against real PostgreSQL and Kafka', () => {
  let db: TestDatabase;
  let tk: TestKafka;
  let pool: Pool;
  let producer: EventProducer;
  let relay: OutboxRelay;
  let useCases: OrderUseCases;
  let topics: ReturnType<typeof prefixTopics<typeof TOPICS>>;
  let clock: ManualClock;
  const seen: Envelope[] = [];
  let reader: { disconnect(): Promise<void> };

  beforeAll(async () => {
    db = await createTestDatabase();
    tk = await createTestKafka();
    pool = createPool({
      url: db.url,
      max: 20,
      schema: 'orders',
      statementTimeoutMs: 5_000,
      applicationName: 't',
    });
    await migrate(pool, 'orders', migrations);
    // This test file's own topics: the registry with a unique prefix, as KAFKA_TOPIC_PREFIX does.
    topics = prefixTopics(TOPICS, tk.topic(''));
    const topic = topics.orderEvents.name;
    await tk.createTopics([{ name: topic, partitions: 3 }]);
    producer = createProducer(createKafka({ brokers: tk.brokers, clientId: 't', logger }), 'order');
    await producer.connect();
    relay = createOutboxRelay({
      url: db.url,
      schema: 'orders',
      partitions: 4,
      producer,
      producerName: 'order',
      logger,
      pollIntervalMs: 100,
    });
    await relay.start();
    const consumer = new Kafka({
      clientId: 'reader',
      brokers: tk.brokers,
      logLevel: logLevel.NOTHING,
    }).consumer({ groupId: `${topic}.reader` });
    reader = consumer;
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => void seen.push(decodeEnvelope(message.value!)),
    });
    clock = new ManualClock(new Date());
    useCases = createOrderUseCases({
      store: createPgOrderStore(pool, createOutbox({ schema: 'orders', partitions: 4 }), topics.orderEvents),
      reservations: new FakeReservations(),
      clock,
      policy: { acceptTimeoutSeconds: 120, promiseMarginSeconds: 900, riderSpeedMps: 5 },
      logger,
    });
  });
  afterAll(async () => {
    await relay?.stop();
    await reader?.disconnect();
    await producer?.disconnect();
    await pool?.end();
    await tk?.cleanup();
    await db?.drop();
  });

  const eventsFor = (id: string) => seen.filter((e) => e.key === id);
  const states = (id: string) =>
    eventsFor(id)
      .filter((e) => e.type === EVENTS.orderStateChanged.name)
      .map((e) => OrderStateChanged.decode(e.payload).toState);

  it('publishes every state change of an order, in order, with the snapshot after the change', async () => {
    const id = orderId();
    expect((await useCases.placeOrder(input(id))).ok).toBe(true);
    await useCases.transition(id, { kind: 'ACCEPT', prepSeconds: 600 }, merchant);
    await useCases.transition(
      id,
      { kind: 'ASSIGN_RIDER', riderId: 'r-1' },
      { role: 'system', id: 'dispatch' },
    );
    await useCases.transition(id, { kind: 'MARK_READY' }, merchant);
    await eventually(() => (states(id).length === 4 ? true : undefined), 20_000, 'four state changes');
    expect(states(id)).toEqual([
      ProtoState.ORDER_STATE_PLACED,
      ProtoState.ORDER_STATE_ACCEPTED,
      ProtoState.ORDER_STATE_READY_FOR_PICKUP,
      ProtoState.ORDER_STATE_RIDER_ASSIGNED,
    ]);
    const snapshots = eventsFor(id).map((e) => OrderStateChanged.decode(e.payload).order!);
    expect(snapshots.map((o) => o.version)).toEqual([1, 2, 4, 5]);
    expect(snapshots[3]).toMatchObject({ riderId: 'r-1', state: ProtoState.ORDER_STATE_RIDER_ASSIGNED });
    // The restaurant copied at placement rides along in every snapshot (read back from the row).
    for (const o of snapshots)
      expect(o).toMatchObject({ merchantName: 'Shanghai Kitchen', pickupAddress: '1 Nanjing East Rd' });
    const timeline = await useCases.timeline(id);
    expect(timeline.ok && timeline.value.map((c) => c.to)).toEqual([
      'PLACED',
      'ACCEPTED',
      'READY_FOR_PICKUP',
      'RIDER_ASSIGNED',
    ]);
  });

  it('snapshots an order placed before the restaurant was copied with empty name and address', async () => {
    const id = orderId();
    expect((await useCases.placeOrder(input(id))).ok).toBe(true);
    // As the 0007 migration leaves the orders placed before it.
    await pool.query('UPDATE orders SET merchant_name = NULL, pickup_address = NULL WHERE id = $1', [id]);
    const stored = await useCases.getOrder(id);
    expect(stored.ok && [stored.value.merchantName, stored.value.pickupAddress]).toEqual([
      undefined,
      undefined,
    ]);
    await useCases.transition(id, { kind: 'ACCEPT', prepSeconds: 600 }, merchant);
    await eventually(() => (states(id).length === 2 ? true : undefined), 20_000, 'two state changes');
    const accepted = OrderStateChanged.decode(eventsFor(id)[1]!.payload).order!;
    expect(accepted).toMatchObject({
      state: ProtoState.ORDER_STATE_ACCEPTED,
      merchantName: '',
      pickupAddress: '',
    });
  });

  it('creates exactly one order when 30 placements with one id race', async () => {
    const id = orderId();
    const results = await Promise.all(Array.from({ length: 30 }, () => useCases.placeOrder(input(id))));
    expect(results.every((r) => r.ok)).toBe(true);
    expect(new Set(results.map((r) => JSON.stringify(r)))).toHaveProperty('size', 1);
    const { rows } = await pool.query(
      'SELECT count(*)::int AS n FROM orders.order_timeline WHERE order_id = $1',
      [id],
    );
    expect(rows[0]).toEqual({ n: 1 });
    await eventually(() => (states(id).length >= 1 ? true : undefined), 20_000, 'the PLACED event');
    await new Promise((r) => setTimeout(r, 300));
    expect(states(id)).toEqual([ProtoState.ORDER_STATE_PLACED]);
  });

  it("stores an order only before the merchant's hold ends, by the database's clock", async () => {
    const reservations = new FakeReservations();
    const late = createOrderUseCases({
      store: createPgOrderStore(pool, createOutbox({ schema: 'orders', partitions: 4 }), topics.orderEvents),
      reservations,
      clock,
      policy: { acceptTimeoutSeconds: 120, promiseMarginSeconds: 900, riderSpeedMps: 5 },
      logger,
    });
    // The hold ends in 10 s: inside the 15 s margin, so the insert must not happen.
    reservations.reservedUntil = new Date(Date.now() + 10_000);
    const tooLate = orderId();
    expect(await late.placeOrder(input(tooLate))).toMatchObject({
      ok: false,
      error: { code: 'RESERVATION_EXPIRED' },
    });
    const count = async (table: string, column: string, id: string) =>
      (
        await pool.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM orders.${table} WHERE ${column} = $1`,
          [id],
        )
      ).rows[0]!.n;
    expect(await count('orders', 'id', tooLate)).toBe(0);
    expect(await count('order_timeline', 'order_id', tooLate)).toBe(0);
    expect(await count('outbox', 'key', tooLate)).toBe(0);
    expect(reservations.released).toEqual([tooLate]);
    // Two minutes of hold left: stored as usual.
    reservations.reservedUntil = new Date(Date.now() + 120_000);
    const inTime = orderId();
    expect((await late.placeOrder(input(inTime))).ok).toBe(true);
    expect(await count('orders', 'id', inTime)).toBe(1);
  });

  it('lets exactly one of two conflicting commands win when they race', async () => {
    const id = orderId();
    await useCases.placeOrder(input(id));
    const [accept, cancel] = await Promise.all([
      useCases.transition(id, { kind: 'ACCEPT', prepSeconds: 300 }, merchant),
      useCases.transition(id, { kind: 'REJECT', reason: 'BUSY' }, merchant),
    ]);
    expect([accept.ok, cancel.ok].filter(Boolean)).toHaveLength(1);
    const loser = accept.ok ? cancel : accept;
    expect(!loser.ok && loser.error.code).toBe('ILLEGAL_TRANSITION');
  });

  it('rejects orders not accepted in time, with a refund event, and leaves accepted ones alone', async () => {
    const late = orderId();
    const fine = orderId();
    await useCases.placeOrder(input(late));
    await useCases.placeOrder(input(fine));
    await useCases.transition(fine, { kind: 'ACCEPT', prepSeconds: 300 }, merchant);
    clock.advance(121);
    expect(await useCases.expireOverdue()).toBeGreaterThanOrEqual(1);
    expect(await useCases.getOrder(late)).toMatchObject({
      value: { state: 'REJECTED', reason: 'MERCHANT_TIMEOUT' },
    });
    expect(await useCases.getOrder(fine)).toMatchObject({ value: { state: 'ACCEPTED' } });
    await eventually(
      () => (eventsFor(late).some((e) => e.type === EVENTS.refundRequested.name) ? true : undefined),
      20_000,
      'the refund',
    );
    const refund = RefundRequested.decode(
      eventsFor(late).find((e) => e.type === EVENTS.refundRequested.name)!.payload,
    );
    expect(refund).toMatchObject({
      orderId: late,
      customerId: 'c-1',
      reason: 'MERCHANT_TIMEOUT',
      amount: { amountMinor: 1000, currency: 'CNY' },
    });
  });

  it('applies a redelivered dispatch event once', async () => {
    const id = orderId();
    await useCases.placeOrder(input(id));
    await useCases.transition(id, { kind: 'ACCEPT', prepSeconds: 60 }, merchant);
    await useCases.transition(id, { kind: 'MARK_READY' }, merchant);
    const claim = { consumer: 'order', eventId: '0190f3c1-1111-7000-8000-000000000001' };
    const first = await useCases.transition(
      id,
      { kind: 'ASSIGN_RIDER', riderId: 'r-7' },
      { role: 'system', id: 'dispatch' },
      claim,
    );
    const again = await useCases.transition(
      id,
      { kind: 'ASSIGN_RIDER', riderId: 'r-7' },
      { role: 'system', id: 'dispatch' },
      claim,
    );
    expect(first.ok && first.value !== 'duplicate' && first.value.state).toBe('RIDER_ASSIGNED');
    expect(again).toEqual({ ok: true, value: 'duplicate' });
  });

  it('pages through a customer list newest first with an opaque token', async () => {
    const ids = [orderId(), orderId(), orderId()];
    for (const id of ids) {
      clock.advance(1);
      await useCases.placeOrder({ ...input(id), customerId: 'c-pager' });
    }
    const first = await useCases.listOrders({ customerId: 'c-pager' }, 2, undefined);
    expect(first.ok && first.value.orders.map((o) => o.id)).toEqual([ids[2], ids[1]]);
    const second = await useCases.listOrders(
      { customerId: 'c-pager' },
      2,
      first.ok ? first.value.nextCursor : undefined,
    );
    expect(second.ok && second.value).toMatchObject({ orders: [{ id: ids[0] }], nextCursor: undefined });
    expect(await useCases.listOrders({ customerId: 'c-pager' }, 2, 'garbage')).toMatchObject({
      ok: false,
      error: { code: 'INVALID_ARGUMENT' },
    });

    // Oldest first (a merchant's incoming orders: the next to time out on top), paged the same way.
    const oldest = { customerId: 'c-pager', oldestFirst: true };
    const early = await useCases.listOrders(oldest, 2, undefined);
    expect(early.ok && early.value.orders.map((o) => o.id)).toEqual([ids[0], ids[1]]);
    const late = await useCases.listOrders(oldest, 2, early.ok ? early.value.nextCursor : undefined);
    expect(late.ok && late.value).toMatchObject({ orders: [{ id: ids[2] }], nextCursor: undefined });
    // A token continues only the order it was issued for.
    expect(
      await useCases.listOrders({ customerId: 'c-pager' }, 2, early.ok ? early.value.nextCursor : undefined),
    ).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT', fields: [{ field: 'pageToken' }] } });
  });
});
