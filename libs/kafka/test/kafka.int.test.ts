import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Kafka, logLevel } from 'kafkajs';
import { TestEvent } from '@mealpeak/contracts/testing.v1';
import {
  createTestKafka,
  createTestRedis,
  eventually,
  type TestKafka,
  type TestRedis,
} from '@mealpeak/testing';
import { createLogger } from '@mealpeak/telemetry';
import {
  createConsumer,
  createKafka,
  createProducer,
  createRedisDedupe,
  decodeEnvelope,
  deadLetterTopic,
  readDeadLetters,
  replayDeadLetters,
  defineEvent,
  ensureTopics,
  newEventId,
  on,
  type ConsumedEvent,
  type EventConsumer,
  type EventProducer,
} from '../src/index.ts';

const testEvent = defineEvent('mealpeak.testing.v1.TestEvent', 1, TestEvent);
const logger = createLogger({ service: 'kafka-test', level: 'silent' });

describe('kafka wrapper against the real broker', () => {
  let tk: TestKafka;
  let redis: TestRedis;
  let kafka: Kafka;
  let producer: EventProducer;
  const consumers: EventConsumer[] = [];

  beforeAll(async () => {
    tk = await createTestKafka();
    redis = await createTestRedis();
    kafka = createKafka({ brokers: tk.brokers, clientId: 'kafka-test', logger });
    producer = createProducer(kafka, 'kafka-test');
    await producer.connect();
  });
  afterAll(async () => {
    await Promise.all(consumers.map((c) => c.stop().catch(() => undefined)));
    await producer?.disconnect();
    await tk?.cleanup();
    await redis?.cleanup();
  });

  async function topicWithDlq(base: string) {
    const topic = tk.topic(base);
    await tk.createTopics([
      { name: topic, partitions: 3 },
      { name: deadLetterTopic(topic), partitions: 1 },
    ]);
    return topic;
  }

  function startConsumer(
    topic: string,
    handle: (e: ConsumedEvent<TestEvent>) => Promise<void>,
    extra: { dedupe?: boolean; groupId?: string } = {},
  ) {
    const consumer = createConsumer(kafka, {
      groupId: extra.groupId ?? `${topic}.group`,
      topics: [topic],
      handlers: [on(testEvent, handle)],
      logger,
      maxAttempts: 3,
      initialBackoffMs: 20,
      ...(extra.dedupe ? { dedupe: createRedisDedupe(redis.client) } : {}),
    });
    consumers.push(consumer);
    return consumer;
  }

  /** Reads every message of a topic from the beginning with a throwaway consumer. */
  async function readAll(topic: string, expected: number) {
    const seen: { key: string | undefined; value: Buffer | null; headers: Record<string, string> }[] = [];
    const raw = new Kafka({ clientId: 'reader', brokers: tk.brokers, logLevel: logLevel.NOTHING }).consumer({
      groupId: `reader-${newEventId()}`,
    });
    await raw.connect();
    await raw.subscribe({ topic, fromBeginning: true });
    await raw.run({
      eachMessage: async ({ message }) => {
        const headers = Object.fromEntries(
          Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)]),
        );
        seen.push({ key: message.key?.toString(), value: message.value, headers });
      },
    });
    try {
      await eventually(
        () => (seen.length >= expected ? true : undefined),
        20_000,
        `${expected} messages on ${topic}`,
      );
    } finally {
      await raw.disconnect();
    }
    return seen;
  }

  it('creates missing topics with the registry counts, and reports one that exists with fewer', async () => {
    const short = tk.topic('short');
    const fresh = tk.topic('fresh');
    await tk.createTopics([{ name: short, partitions: 2 }]);
    const warnings: { topic: string; partitions: number; registry: number }[] = [];
    const capture = createLogger({
      service: 'kafka-test',
      level: 'warn',
      destination: { write: (line: string) => void warnings.push(JSON.parse(line)) },
    });
    const spec = (name: string) => ({
      name,
      partitions: 4,
      key: 'k',
      events: [],
      producers: [],
      consumers: [],
    });
    await ensureTopics(kafka, [spec(short), spec(fresh)], 60_000, capture);
    expect(warnings.map(({ topic, partitions, registry }) => ({ topic, partitions, registry }))).toEqual([
      { topic: short, partitions: 2, registry: 4 },
    ]);
    const admin = kafka.admin();
    await admin.connect();
    try {
      const { topics } = await admin.fetchTopicMetadata({ topics: [fresh, deadLetterTopic(fresh)] });
      const byName = [...topics].sort((a, b) => a.name.localeCompare(b.name));
      expect(byName.map((t) => [t.name, t.partitions.length])).toEqual([
        [fresh, 4],
        [deadLetterTopic(fresh), 1],
      ]);
    } finally {
      await admin.disconnect();
    }
  });

  it('round-trips an event in the envelope, keyed, with trace headers', async () => {
    const topic = await topicWithDlq('roundtrip');
    const got: ConsumedEvent<TestEvent>[] = [];
    await startConsumer(topic, async (e) => void got.push(e)).start();
    const occurredAt = new Date('2026-11-22T12:00:00.000Z');
    const [eventId] = await producer.publish(topic, [
      {
        type: testEvent,
        key: 'order-1',
        payload: { id: 'a', body: 'hello' },
        occurredAt,
        traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
      },
    ]);
    await eventually(() => (got.length === 1 ? true : undefined), 30_000, 'the event');
    const e = got[0]!;
    expect(e).toMatchObject({
      eventId,
      type: 'mealpeak.testing.v1.TestEvent',
      key: 'order-1',
      payload: { id: 'a', body: 'hello' },
      topic,
    });
    expect(e.occurredAt.toISOString()).toBe(occurredAt.toISOString());
    expect(e.envelope).toMatchObject({
      schemaVersion: 1,
      producer: 'kafka-test',
      traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
    });

    const [raw] = await readAll(topic, 1);
    expect(raw!.key).toBe('order-1');
    expect(raw!.headers).toMatchObject({
      'event-id': eventId,
      'event-type': 'mealpeak.testing.v1.TestEvent',
      traceparent: e.envelope.traceparent,
    });
  });

  it('handles a redelivered event (same event id) once when dedupe is on', async () => {
    const topic = await topicWithDlq('dedupe');
    const handled: string[] = [];
    await startConsumer(topic, async (e) => void handled.push(e.payload.body), { dedupe: true }).start();
    const eventId = newEventId();
    const event = { type: testEvent, key: 'k', payload: { id: '1', body: 'first' }, eventId };
    await producer.publish(topic, [event]);
    await producer.publish(topic, [{ ...event, payload: { id: '1', body: 'redelivered copy' } }]);
    await producer.publish(topic, [{ type: testEvent, key: 'k', payload: { id: '2', body: 'next' } }]);
    await eventually(() => (handled.includes('next') ? true : undefined), 30_000, 'the third event');
    expect(handled).toEqual(['first', 'next']);
  });

  it('dead-letters poison messages and keeps the partition moving', async () => {
    const topic = await topicWithDlq('poison');
    const handled: string[] = [];
    await startConsumer(topic, async (e) => {
      if (e.payload.body === 'always fails') throw new Error('handler cannot process this');
      handled.push(e.payload.body);
    }).start();
    const rawProducer = kafka.producer();
    await rawProducer.connect();
    // Same key, so all three land on one partition in this order.
    await rawProducer.send({
      topic,
      messages: [{ key: 'p', value: Buffer.from('not a protobuf envelope \xff\xfe') }],
    });
    await rawProducer.disconnect();
    await producer.publish(topic, [
      { type: testEvent, key: 'p', payload: { id: '1', body: 'always fails' } },
      { type: testEvent, key: 'p', payload: { id: '2', body: 'fine' } },
    ]);
    await eventually(
      () => (handled.includes('fine') ? true : undefined),
      30_000,
      'the good event after the poison ones',
    );

    const dead = await readAll(deadLetterTopic(topic), 2);
    expect(dead.map((d) => d.headers['dlq-reason']?.split(':')[0]).sort()).toEqual([
      'handler failed after 3 attempt(s)',
      'undecodable envelope',
    ]);
    for (const d of dead) {
      expect(d.key).toBe('p');
      expect(d.headers).toMatchObject({
        'dlq-original-topic': topic,
        'dlq-consumer-group': `${topic}.group`,
      });
    }
    const failed = dead.find((d) => d.headers['dlq-reason']?.startsWith('handler'))!;
    expect(TestEvent.decode(decodeEnvelope(failed.value!).payload).body).toBe('always fails');
  });

  it('lists dead letters and replays them to their topic, where each is handled once', async () => {
    const topic = await topicWithDlq('replay');
    const handled: string[] = [];
    let fixed = false;
    await startConsumer(
      topic,
      async (e) => {
        if (e.payload.body === 'needs the fix' && !fixed) throw new Error('bug: cannot handle this yet');
        handled.push(e.payload.body);
      },
      { dedupe: true },
    ).start();
    const [eventId] = await producer.publish(topic, [
      { type: testEvent, key: 'r', payload: { id: '1', body: 'needs the fix' } },
      { type: testEvent, key: 'r', payload: { id: '2', body: 'fine' } },
    ]);
    await eventually(() => (handled.includes('fine') ? true : undefined), 30_000, 'the event after it');

    const letters = await readDeadLetters(kafka, topic);
    expect(letters).toHaveLength(1);
    expect(letters[0]).toMatchObject({
      dlqTopic: deadLetterTopic(topic),
      offset: '0',
      originalTopic: topic,
      consumerGroup: `${topic}.group`,
      eventType: testEvent.name,
      eventId,
    });
    expect(letters[0]!.reason).toMatch(/^handler failed after 3 attempt\(s\): Error: bug/);
    expect(letters[0]!.key?.toString()).toBe('r');
    expect(Object.keys(letters[0]!.headers).some((h) => h.startsWith('dlq-'))).toBe(false);

    fixed = true;
    expect(await replayDeadLetters(kafka, letters)).toBe(1);
    await eventually(() => (handled.includes('needs the fix') ? true : undefined), 30_000, 'the replay');
    // A second replay of the same letter is absorbed by the inbox.
    await replayDeadLetters(kafka, letters);
    await producer.publish(topic, [{ type: testEvent, key: 'r', payload: { id: '3', body: 'marker' } }]);
    await eventually(() => (handled.includes('marker') ? true : undefined), 30_000, 'the marker');
    expect(handled).toEqual(['fine', 'needs the fix', 'marker']);
    // Reading the dead letters again finds the same one, and commits nothing for anybody.
    expect((await readDeadLetters(kafka, deadLetterTopic(topic))).map((l) => l.offset)).toEqual(['0']);
  });

  it('leaves the group on stop, so partitions move at once instead of after the session timeout', async () => {
    const topic = await topicWithDlq('leave');
    const groupId = `${topic}.leaver`;
    const consumer = startConsumer(topic, async () => undefined, { groupId });
    await consumer.start();
    const admin = kafka.admin();
    await admin.connect();
    try {
      await eventually(
        async () => {
          const { groups } = await admin.describeGroups([groupId]);
          return groups[0]?.state === 'Stable' ? true : undefined;
        },
        30_000,
        'group to become stable',
      );
      await consumer.stop();
      const { groups } = await admin.describeGroups([groupId]);
      expect(groups[0]?.members).toHaveLength(0);
      expect(groups[0]?.state).toBe('Empty');
    } finally {
      await admin.disconnect();
    }
  });
});
