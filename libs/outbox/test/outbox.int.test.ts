import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { Kafka, logLevel } from 'kafkajs';
import pg from 'pg';
import { TestEvent } from '@mealpeak/contracts/testing.v1';
import { createPool, migrate, withTransaction, type Pool } from '@mealpeak/db';
import {
  createKafka,
  createProducer,
  decodeEnvelope,
  defineEvent,
  type Envelope,
  type EventProducer,
} from '@mealpeak/kafka';
import { createLogger } from '@mealpeak/telemetry';
import {
  createTestDatabase,
  createTestKafka,
  eventually,
  spawnTs,
  type TestDatabase,
  type TestKafka,
} from '@mealpeak/testing';
import {
  claimEvent,
  createOutbox,
  createOutboxRelay,
  purgeClaims,
  relayApplicationName,
  type OutboxRelay,
} from '../src/index.ts';

const testEvent = defineEvent('mealpeak.testing.v1.TestEvent', 1, TestEvent);
const logger = createLogger({ service: 'outbox-test', level: 'silent' });
const migrations = fileURLToPath(new URL('./migrations', import.meta.url));
const PARTITIONS = 4;

describe('outbox and relay against real PostgreSQL and Kafka', () => {
  let db: TestDatabase;
  let tk: TestKafka;
  let producer: EventProducer;
  const pools: Pool[] = [];
  const relays: OutboxRelay[] = [];
  const readers: { disconnect(): Promise<void> }[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
    tk = await createTestKafka();
    producer = createProducer(
      createKafka({ brokers: tk.brokers, clientId: 'outbox-test', logger }),
      'outbox-test',
    );
    await producer.connect();
  });
  afterAll(async () => {
    await Promise.all(relays.map((r) => r.stop()));
    await Promise.all(readers.map((r) => r.disconnect()));
    await producer?.disconnect();
    await Promise.all(pools.map((p) => p.end()));
    await tk?.cleanup();
    await db?.drop();
  });

  async function setup(name: string) {
    const schema = `svc_${name}`;
    const pool = createPool({ url: db.url, max: 8, schema, statementTimeoutMs: 5_000, applicationName: 't' });
    pools.push(pool);
    await migrate(pool, schema, migrations);
    const topic = tk.topic(name);
    await tk.createTopics([{ name: topic, partitions: 3 }]);
    const outbox = createOutbox({ schema, partitions: PARTITIONS });
    const relay = (p = producer) => {
      const r = createOutboxRelay({
        url: db.url,
        schema,
        partitions: PARTITIONS,
        producer: p,
        producerName: 'order',
        logger,
        pollIntervalMs: 100,
        claimIntervalMs: 200,
      });
      relays.push(r);
      return r;
    };
    return { schema, pool, topic, outbox, relay };
  }

  async function collect(topic: string) {
    const seen: Envelope[] = [];
    const consumer = new Kafka({
      clientId: 'reader',
      brokers: tk.brokers,
      logLevel: logLevel.NOTHING,
    }).consumer({
      groupId: `${topic}.reader`,
    });
    readers.push(consumer);
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => void seen.push(decodeEnvelope(message.value!)),
    });
    return seen;
  }

  const event = (key: string, body: string) => ({
    type: testEvent,
    key,
    payload: { id: key, body },
    occurredAt: new Date(),
  });

  it('publishes what committed, with its event id, key and trace context, and nothing that rolled back', async () => {
    const { pool, topic, outbox, relay } = await setup('commit');
    const seen = await collect(topic);
    const [committedId] = await withTransaction(pool, (tx) =>
      outbox.enqueue(tx, topic, [event('order-1', 'kept')]),
    );
    await expect(
      withTransaction(pool, async (tx) => {
        await outbox.enqueue(tx, topic, [event('order-2', 'rolled back')]);
        throw new Error('business rule failed after the enqueue');
      }),
    ).rejects.toThrow();
    await relay().start();
    await eventually(() => (seen.length >= 1 ? true : undefined), 30_000, 'the committed event');
    await new Promise((r) => setTimeout(r, 500));
    expect(seen.map((e) => [e.eventId, e.key, TestEvent.decode(e.payload).body])).toEqual([
      [committedId, 'order-1', 'kept'],
    ]);
    expect(seen[0]).toMatchObject({
      type: 'mealpeak.testing.v1.TestEvent',
      schemaVersion: 1,
      producer: 'order',
    });
    const { rows } = await pool.query('SELECT count(*)::int AS n FROM outbox');
    expect(rows[0]).toEqual({ n: 0 });
  });

  it('keeps per-key order with two relays running at once, and publishes every event', async () => {
    const { pool, topic, outbox, relay } = await setup('order');
    const seen = await collect(topic);
    // Two partitions each (their shares), so both relays really publish concurrently.
    const [a, b] = [relay(), relay()];
    await Promise.all([a.start(), b.start()]);
    await eventually(
      () => (a.owned().length === 2 && b.owned().length === 2 ? true : undefined),
      10_000,
      'relays to split the partitions',
    );
    const keys = Array.from({ length: 8 }, (_, i) => `order-${i}`);
    for (let n = 0; n < 25; n++) {
      await Promise.all(
        keys.map((k) => withTransaction(pool, (tx) => outbox.enqueue(tx, topic, [event(k, String(n))]))),
      );
    }
    await eventually(() => (seen.length >= 200 ? true : undefined), 60_000, '200 events');
    for (const k of keys) {
      const bodies = seen.filter((e) => e.key === k).map((e) => Number(TestEvent.decode(e.payload).body));
      expect(bodies).toEqual(Array.from({ length: 25 }, (_, i) => i));
    }
    expect(new Set(seen.map((e) => e.eventId)).size).toBe(200);
  });

  it('spreads the partitions over every live relay, and over the rest when one stops', async () => {
    const { relay } = await setup('spread');
    const first = relay();
    await first.start();
    await eventually(() => (first.owned().length === PARTITIONS ? true : undefined), 10_000, 'one relay');
    const [second, third] = [relay(), relay()];
    await Promise.all([second.start(), third.start()]);
    const all = [first, second, third];
    const split = () => {
      const owned = all.map((r) => r.owned());
      return owned.flat().length === PARTITIONS && new Set(owned.flat()).size === PARTITIONS
        ? owned.map((o) => o.length).sort()
        : undefined;
    };
    // 4 partitions over 3 relays: 2, 1, 1, nobody idle and nothing unowned.
    expect(
      await eventually(() => (split()?.[0] === 1 ? split() : undefined), 10_000, 'a 2-1-1 split'),
    ).toEqual([1, 1, 2]);
    await third.stop();
    all.pop();
    expect(await eventually(() => (split()?.[0] === 2 ? split() : undefined), 10_000, 'a 2-2 split')).toEqual(
      [2, 2],
    );
  });

  it('counts only relays: another session with the relay name takes no share', async () => {
    const { relay, schema } = await setup('ghost');
    // A borrowed or pooled session that carries the relay's application_name (psql, a pooler).
    const ghost = new pg.Client({
      connectionString: db.url,
      application_name: relayApplicationName('order', schema),
    });
    await ghost.connect();
    try {
      const only = relay();
      await only.start();
      // Counting the ghost as a relay would leave half the partitions to nobody.
      await eventually(
        () => (only.owned().length === PARTITIONS ? true : undefined),
        10_000,
        'every partition',
      );
    } finally {
      await ghost.end();
    }
  });

  it('hands a dead replica partitions to another one, which publishes what it left', async () => {
    const { schema, pool, topic, outbox, relay } = await setup('failover');
    const seen = await collect(topic);
    const other = spawnTs(fileURLToPath(new URL('./relay-process.ts', import.meta.url)), {
      PG_URL: db.url,
      KAFKA_BROKERS: tk.brokers.join(','),
      SCHEMA: schema,
    });
    await other.waitForLine(/^owns 0,1,2,3$/);
    const standby = relay();
    await standby.start();
    // The first relay up no longer keeps everything: it gives the newcomer its share.
    await eventually(
      () => (standby.owned().length === PARTITIONS / 2 ? true : undefined),
      10_000,
      'the newcomer to get half the partitions',
    );

    other.kill('SIGKILL');
    await other.exited();
    for (let i = 0; i < 20; i++)
      await withTransaction(pool, (tx) => outbox.enqueue(tx, topic, [event(`k${i}`, 'after death')]));
    await eventually(
      () => (standby.owned().length === PARTITIONS ? true : undefined),
      10_000,
      'standby to own every partition',
    );
    await eventually(
      () =>
        seen.filter((e) => TestEvent.decode(e.payload).body === 'after death').length === 20
          ? true
          : undefined,
      30_000,
      'events enqueued after the death',
    );
  });

  it('keeps rows through a Kafka outage and publishes them once it is back', async () => {
    const { pool, topic, outbox, relay } = await setup('outage');
    let failures = 3;
    const sent: Envelope[] = [];
    const flaky: EventProducer = {
      connect: async () => undefined,
      disconnect: async () => undefined,
      publish: async () => [],
      publishEnvelopes: async (_t, envelopes) => {
        if (failures-- > 0) throw new Error('KafkaJSConnectionError: broker unreachable');
        sent.push(...envelopes);
      },
    };
    await withTransaction(pool, (tx) => outbox.enqueue(tx, topic, [event('o', 'survives the outage')]));
    await relay(flaky).start();
    await eventually(() => (sent.length === 1 ? true : undefined), 20_000, 'publish after the outage');
    expect(failures).toBeLessThan(0);
    // The relay deletes the rows after the send returns: wait for that step, not just the send.
    const remaining = async () => (await pool.query('SELECT count(*)::int AS n FROM outbox')).rows[0];
    await eventually(
      async () => ((await remaining())?.n === 0 ? true : undefined),
      5_000,
      'published row deleted',
    );
    expect(await remaining()).toEqual({ n: 0 });
    expect(sent).toHaveLength(1);
  });

  it('claims an event once per consumer inside the caller transaction', async () => {
    const { pool } = await setup('inbox');
    const id = '0190f3c1-0000-7000-8000-000000000001';
    expect(await withTransaction(pool, (tx) => claimEvent(tx, 'merchant', id))).toBe(true);
    expect(await withTransaction(pool, (tx) => claimEvent(tx, 'merchant', id))).toBe(false);
    expect(await withTransaction(pool, (tx) => claimEvent(tx, 'rider-dispatch', id))).toBe(true);
    // A rolled-back claim leaves the event unclaimed.
    const id2 = '0190f3c1-0000-7000-8000-000000000002';
    await expect(
      withTransaction(pool, async (tx) => {
        await claimEvent(tx, 'merchant', id2);
        throw new Error('handler failed');
      }),
    ).rejects.toThrow();
    expect(await withTransaction(pool, (tx) => claimEvent(tx, 'merchant', id2))).toBe(true);
  });

  it('purges claims older than the cut-off, only those, with two purgers at once', async () => {
    const { pool } = await setup('purge');
    const id = (n: number) => `0190f3c1-0000-7000-8000-${String(n).padStart(12, '0')}`;
    // 25 claims ten days old, 5 from now.
    await pool.query(
      `INSERT INTO processed_events (consumer, event_id, processed_at)
       SELECT 'merchant', ('0190f3c1-0000-7000-8000-' || lpad(n::text, 12, '0'))::uuid,
              now() - interval '10 days' FROM generate_series(1, 25) n`,
    );
    for (let n = 26; n <= 30; n++)
      expect(await withTransaction(pool, (tx) => claimEvent(tx, 'merchant', id(n)))).toBe(true);
    const cutoff = new Date(Date.now() - 8 * 24 * 3_600_000);
    const purgeAll = async () => {
      let total = 0;
      for (let n = await purgeClaims(pool, cutoff, 4); n > 0; n = await purgeClaims(pool, cutoff, 4))
        total += n;
      return total;
    };
    const [a, b] = await Promise.all([purgeAll(), purgeAll()]);
    expect(a + b).toBe(25);
    const { rows } = await pool.query<{ event_id: string }>(
      'SELECT event_id FROM processed_events ORDER BY event_id',
    );
    expect(rows.map((r) => r.event_id)).toEqual([26, 27, 28, 29, 30].map(id));
    // Recent claims still guard against redelivery; a purged one no longer does (hence the
    // retention above the topics' own).
    expect(await withTransaction(pool, (tx) => claimEvent(tx, 'merchant', id(30)))).toBe(false);
    expect(await withTransaction(pool, (tx) => claimEvent(tx, 'merchant', id(1)))).toBe(true);
  });
});
