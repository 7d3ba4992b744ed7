import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unwrap } from '@mealpeak/core';
import { MerchantStatus, type MerchantStatusChanged } from '@mealpeak/contracts/merchant.v1';
import { OrderState, type Order } from '@mealpeak/contracts/order.v1';
import {
  EVENTS,
  createConsumer,
  createKafka,
  createProducer,
  deadLetterTopic,
  newEventId,
  on,
  type ConsumedEvent,
  type EventConsumer,
  type EventProducer,
} from '@mealpeak/kafka';
import { createOutboxRelay, type OutboxRelay } from '@mealpeak/outbox';
import { createLogger } from '@mealpeak/telemetry';
import { createTestKafka, eventually, lockWaitOf, type TestKafka } from '@mealpeak/testing';
import { itemInput, merchantInput } from '../src/app/test-support/fixtures.ts';
import { createMerchantDb, OUTBOX_PARTITIONS, SCHEMA, type MerchantDb } from './support.ts';

const logger = createLogger({ service: 'merchant-test', level: 'silent' });
const S = OrderState;

describe('order events from Kafka, status events to Kafka', () => {
  let mdb: MerchantDb;
  let tk: TestKafka;
  let producer: EventProducer;
  let consumer: EventConsumer | undefined;
  let relay: OutboxRelay | undefined;
  let reader: EventConsumer | undefined;

  beforeAll(async () => {
    [mdb, tk] = await Promise.all([createMerchantDb(10), createTestKafka()]);
    producer = createProducer(
      createKafka({ brokers: tk.brokers, clientId: 'merchant-test', logger }),
      'order',
    );
    await producer.connect();
  });
  afterAll(async () => {
    await consumer?.stop();
    await relay?.stop();
    await reader?.stop();
    await producer?.disconnect();
    await tk?.cleanup();
    await mdb?.close();
  });

  const order = (id: string, state: OrderState, version: number): Order => ({
    id,
    customerId: 'c1',
    merchantId: id === 'o3' ? 'm2' : 'm1',
    state,
    lines: [],
    dropoffAddress: '',
    merchantName: '',
    pickupAddress: '',
    riderId: '',
    reason: '',
    version,
  });
  const changed = (
    id: string,
    state: OrderState,
    version: number,
    eventId = newEventId(),
    fromState: OrderState = S.ORDER_STATE_UNSPECIFIED,
  ) => ({
    type: EVENTS.orderStateChanged,
    key: id,
    eventId,
    payload: {
      order: order(id, state, version),
      fromState,
      toState: state,
      reason: '',
    },
  });

  it('applies each event once, however often it is delivered, and publishes auto-pause changes', async () => {
    const orderTopic = tk.topic('order-events');
    const merchantTopic = tk.topic('merchant-events');
    await tk.createTopics([
      { name: orderTopic, partitions: 3 },
      { name: deadLetterTopic(orderTopic), partitions: 1 },
      { name: merchantTopic, partitions: 2 },
    ]);
    const { service } = mdb.service({ merchantEventsTopic: merchantTopic });
    const uc = service.useCases;
    // Auto-pause at a backlog of 1, so o1's arrival pauses the merchant and its being ready
    // resumes it. o3 is another merchant's (auto-pause off), so m1's status events stay two.
    unwrap(await uc.upsertMerchant(merchantInput({ autoPauseBacklog: 1 })));
    unwrap(await uc.upsertMenuItem(itemInput('burger', { stock: 10 })));
    unwrap(await uc.upsertMerchant(merchantInput({ id: 'm2', autoPauseBacklog: 0 })));
    unwrap(await uc.upsertMenuItem(itemInput('m2-chips', { merchantId: 'm2', stock: 10 })));
    for (const [id, quantity] of [
      ['o1', 2],
      ['o2', 3],
    ] as const)
      unwrap(
        await uc.reserveStock({ orderId: id, merchantId: 'm1', lines: [{ itemId: 'burger', quantity }] }),
      );
    unwrap(
      await uc.reserveStock({
        orderId: 'o3',
        merchantId: 'm2',
        lines: [{ itemId: 'm2-chips', quantity: 1 }],
      }),
    );
    expect(await mdb.stock('burger')).toBe(5);

    consumer = createConsumer(createKafka({ brokers: tk.brokers, clientId: 'merchant-test', logger }), {
      groupId: `${orderTopic}.merchant`,
      topics: [orderTopic],
      handlers: service.eventHandlers,
      logger,
      maxAttempts: 2,
    });
    await consumer.start();
    relay = createOutboxRelay({
      url: mdb.db.url,
      schema: SCHEMA,
      partitions: OUTBOX_PARTITIONS,
      producer,
      producerName: 'merchant',
      logger,
      pollIntervalMs: 100,
    });
    await relay.start();

    const accepted = changed('o1', S.ORDER_STATE_ACCEPTED, 2);
    const ready = changed('o1', S.ORDER_STATE_READY_FOR_PICKUP, 3);
    const cancelled = changed('o2', S.ORDER_STATE_CANCELLED, 2);
    // Per key in this order; every event twice (a redelivery keeps its event id). The last event of
    // each key is a stale snapshot with a new id: once it is processed, so is everything before it.
    const lastOfO1 = changed('o1', S.ORDER_STATE_ACCEPTED, 2);
    const lastOfO2 = changed('o2', S.ORDER_STATE_PLACED, 1);
    // o3 is cancelled after its food was ready (the event says so): its unit stays taken.
    const cooked = changed('o3', S.ORDER_STATE_CANCELLED, 5, undefined, S.ORDER_STATE_RIDER_ASSIGNED);
    const lastOfO3 = changed('o3', S.ORDER_STATE_PLACED, 1);
    await producer.publish(orderTopic, [
      changed('o1', S.ORDER_STATE_PLACED, 1),
      accepted,
      accepted,
      cancelled,
      ready,
      cancelled,
      ready,
      lastOfO1,
      lastOfO2,
      changed('o3', S.ORDER_STATE_PLACED, 1),
      cooked,
      lastOfO3,
    ]);
    await eventually(
      async () => {
        const { rows } = await mdb.pool.query('SELECT 1 FROM processed_events WHERE event_id = ANY($1)', [
          [lastOfO1.eventId, lastOfO2.eventId, lastOfO3.eventId],
        ]);
        return rows.length === 3 ? true : undefined;
      },
      30_000,
      'the last event of each order',
    );

    expect(await mdb.stock('burger')).toBe(8); // o2's 3 units back once, o1's 2 still held
    expect(await mdb.stock('m2-chips')).toBe(9); // o3's unit stays taken: it was cooked
    const { rows: reservations } = await mdb.pool.query(
      'SELECT order_id, state FROM reservations ORDER BY order_id',
    );
    expect(reservations).toEqual([
      { order_id: 'o1', state: 'confirmed' },
      { order_id: 'o2', state: 'released' },
      { order_id: 'o3', state: 'confirmed' },
    ]);
    const { rows: kitchen } = await mdb.pool.query(
      'SELECT order_id, state, version FROM kitchen_orders ORDER BY order_id',
    );
    expect(kitchen).toEqual([
      { order_id: 'o1', state: 'ready', version: 3 },
      { order_id: 'o2', state: 'dropped', version: 2 },
      { order_id: 'o3', state: 'dropped', version: 5 },
    ]);
    const { rows: claims } = await mdb.pool.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM processed_events WHERE consumer = $1',
      ['merchant'],
    );
    expect(claims[0]!.n).toBe(9); // nine distinct events, each claimed once

    // The merchant paused at backlog 1 and resumed at 0: two events, through the outbox, in order.
    const seen = await collect(merchantTopic, 2);
    expect(seen.map((e) => [e.key, e.payload.fromStatus, e.payload.toStatus, e.payload.reason])).toEqual([
      [
        'm1',
        MerchantStatus.MERCHANT_STATUS_OPEN,
        MerchantStatus.MERCHANT_STATUS_AUTO_PAUSED,
        'BACKLOG_ABOVE_THRESHOLD',
      ],
      [
        'm1',
        MerchantStatus.MERCHANT_STATUS_AUTO_PAUSED,
        MerchantStatus.MERCHANT_STATUS_OPEN,
        'BACKLOG_RECOVERED',
      ],
    ]);
    expect(seen[0]?.envelope).toMatchObject({ producer: 'merchant' });
    expect(seen[0]?.payload.merchant).toMatchObject({ id: 'm1', name: 'Curry Mitte', kitchenCapacity: 2 });
  });

  it('confirms a batch of PLACED events in one statement, each once, with the state of each', async () => {
    const { service, store } = mdb.service();
    const uc = service.useCases;
    unwrap(await uc.upsertMerchant(merchantInput()));
    unwrap(await uc.upsertMenuItem(itemInput('fries', { stock: 10 })));
    for (const id of ['b1', 'b2', 'b3', 'b4'])
      unwrap(
        await uc.reserveStock({ orderId: id, merchantId: 'm1', lines: [{ itemId: 'fries', quantity: 1 }] }),
      );
    // b2 confirmed before (the sweeper was first), b3 released (timed out): both keep their state.
    await store.transaction((tx) => tx.transitionReservation('b2', ['tentative'], 'confirmed', 'SWEEP'));
    await store.transaction((tx) => tx.transitionReservation('b3', ['tentative'], 'released', 'TIMEOUT'));
    const seenBefore = newEventId();
    expect(await store.repo.confirmPlaced('merchant', [{ eventId: seenBefore, orderId: 'b4' }])).toEqual([
      'confirmed',
    ]);
    const [e1, e2, e3, e5] = [newEventId(), newEventId(), newEventId(), newEventId()];
    expect(
      await store.repo.confirmPlaced('merchant', [
        { eventId: e1, orderId: 'b1' },
        { eventId: e2, orderId: 'b2' },
        { eventId: e1, orderId: 'b1' }, // the same event twice in one batch
        { eventId: e3, orderId: 'b3' },
        { eventId: seenBefore, orderId: 'b4' }, // claimed by an earlier batch
        { eventId: e5, orderId: 'no-such-order' },
      ]),
    ).toEqual(['confirmed', 'confirmed', 'duplicate', 'released', 'duplicate', 'missing']);
    const { rows } = await mdb.pool.query(
      `SELECT order_id, state FROM reservations WHERE order_id LIKE 'b%' ORDER BY order_id`,
    );
    expect(rows).toEqual([
      { order_id: 'b1', state: 'confirmed' },
      { order_id: 'b2', state: 'confirmed' },
      { order_id: 'b3', state: 'released' },
      { order_id: 'b4', state: 'confirmed' },
    ]);
    // Released (e3) and missing (e5) are left unclaimed: the use case settles each on its own.
    const { rows: claims } = await mdb.pool.query<{ event_id: string }>(
      'SELECT event_id FROM processed_events WHERE event_id = ANY($1::uuid[])',
      [[e1, e2, e3, e5, seenBefore]],
    );
    expect(claims.map((c) => c.event_id).sort()).toEqual([e1, e2, seenBefore].sort());
    // The orders this statement confirmed are filed in the kitchen as waiting for acceptance (b2
    // was confirmed by the sweeper, b3 released): the intake the backlog counts.
    const { rows: kitchen } = await mdb.pool.query(
      `SELECT order_id, state, version FROM kitchen_orders WHERE order_id LIKE 'b%' ORDER BY order_id`,
    );
    expect(kitchen).toEqual([
      { order_id: 'b1', state: 'placed', version: 1 },
      { order_id: 'b4', state: 'placed', version: 1 },
    ]);
    expect(await store.repo.countBacklog('m1', 1_000)).toBeGreaterThanOrEqual(2);
    expect(await store.repo.countBacklog('m1', 1)).toBe(1); // counting stops where nothing changes
    // A placed row older than the acceptance window no longer counts.
    const before = await store.repo.countBacklog('m1', 1_000);
    await mdb.pool.query(
      `UPDATE kitchen_orders SET created_at = now() - interval '2 hours' WHERE order_id = 'b1'`,
    );
    expect(await store.repo.countBacklog('m1', 1_000)).toBe(before - 1);
    // So does an accepted row the merchant never marked ready, past the longest preparation.
    await store.repo.saveKitchenOrder({
      orderId: 'b-forgotten',
      merchantId: 'm1',
      state: 'accepted',
      version: 2,
    });
    const withForgotten = await store.repo.countBacklog('m1', 1_000);
    expect(withForgotten).toBe(before);
    // The bound is on created_at, which no update changes (the index on it keeps updates HOT): a
    // row created 5 h 1 min ago may have been accepted only an hour later, so it still counts...
    await mdb.pool.query(
      `UPDATE kitchen_orders SET created_at = now() - interval '5 hours 1 minute',
         updated_at = now() - interval '5 hours 1 minute' WHERE order_id = 'b-forgotten'`,
    );
    expect(await store.repo.countBacklog('m1', 1_000)).toBe(withForgotten);
    // ...and one created past the bound no longer does, however recently it was last updated.
    await mdb.pool.query(
      `UPDATE kitchen_orders SET created_at = now() - interval '6 hours 1 minute', updated_at = now()
       WHERE order_id = 'b-forgotten'`,
    );
    expect(await store.repo.countBacklog('m1', 1_000)).toBe(withForgotten - 1);
  });

  it('leaves a PLACED event unclaimed when a release commits while its batch statement runs', async () => {
    // The sweeper releasing a reservation (it asked the order service, which did not know the
    // order) while the batch statement confirms it: whichever commits second must see the first.
    const { service, store } = mdb.service();
    unwrap(await service.useCases.upsertMerchant(merchantInput()));
    unwrap(await service.useCases.upsertMenuItem(itemInput('rice', { stock: 10 })));
    unwrap(
      await service.useCases.reserveStock({
        orderId: 'race-1',
        merchantId: 'm1',
        lines: [{ itemId: 'rice', quantity: 1 }],
      }),
    );
    const sweeper = await mdb.pool.connect();
    try {
      await sweeper.query('BEGIN');
      await sweeper.query(
        `UPDATE reservations SET state = 'released', updated_at = now() WHERE order_id = 'race-1' AND state = 'tentative'`,
      );
      const eventId = newEventId();
      const outcome = store.repo.confirmPlaced('merchant', [{ eventId, orderId: 'race-1' }]);
      // The batch statement has started and waits for the sweeper's row lock.
      await lockWaitOf(mdb.pool, '%processed_events%', 'the batch statement waiting on the row lock');
      await sweeper.query('COMMIT');
      expect(await outcome).toEqual(['released']);
      const { rows: claims } = await mdb.pool.query('SELECT 1 FROM processed_events WHERE event_id = $1', [
        eventId,
      ]);
      expect(claims).toEqual([]); // left for the use case to settle (placed-without-hold.ts)
    } finally {
      sweeper.release();
    }
  });

  it('applies a cancellation while a menu edit holds the merchant, without a deadlock', async () => {
    // A menu edit locks the merchant row, then the item row; a cancellation must take them in the
    // same order, or the two wait on each other (40P01).
    const { service } = mdb.service();
    const uc = service.useCases;
    unwrap(await uc.upsertMerchant(merchantInput({ id: 'm-lock' })));
    unwrap(await uc.upsertMenuItem(itemInput('lock-dish', { merchantId: 'm-lock', stock: 10 })));
    unwrap(
      await uc.reserveStock({
        orderId: 'lock-1',
        merchantId: 'm-lock',
        lines: [{ itemId: 'lock-dish', quantity: 2 }],
      }),
    );
    const edit = await mdb.pool.connect();
    try {
      await edit.query('BEGIN');
      await edit.query(`SELECT 1 FROM merchants WHERE id = 'm-lock' FOR UPDATE`);
      const cancelled = uc.applyOrderEvent({
        eventId: newEventId(),
        reason: 'CHANGED_MIND',
        snapshot: { orderId: 'lock-1', merchantId: 'm-lock', state: 'CANCELLED', version: 2 },
      });
      await lockWaitOf(mdb.pool, '%FROM merchants%', 'the cancellation waiting for the merchant row');
      // The edit goes on to the item row: free, since the cancellation has not touched it yet.
      await edit.query(`UPDATE menu_items SET name = 'Renamed' WHERE id = 'lock-dish'`);
      await edit.query('COMMIT');
      expect(await cancelled).toBe('applied');
      expect(await mdb.stock('lock-dish')).toBe(10);
    } finally {
      edit.release();
    }
  });

  /** Reads the status events with the platform's own consumer (group of its own, from the start). */
  async function collect(topic: string, expected: number) {
    const seen: ConsumedEvent<MerchantStatusChanged>[] = [];
    reader = createConsumer(createKafka({ brokers: tk.brokers, clientId: 'reader', logger }), {
      groupId: `${topic}.reader`,
      topics: [topic],
      handlers: [on(EVENTS.merchantStatusChanged, async (e) => void seen.push(e))],
      logger,
    });
    await reader.start();
    await eventually(() => (seen.length >= expected ? true : undefined), 30_000, `${expected} status events`);
    return seen;
  }
});
