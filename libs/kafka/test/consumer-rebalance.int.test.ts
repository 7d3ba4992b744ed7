import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Kafka } from 'kafkajs';
import { TestEvent } from '@mealpeak/contracts/testing.v1';
import { createTestKafka, eventually, type TestKafka } from '@mealpeak/testing';
import { createLogger } from '@mealpeak/telemetry';
import {
  createConsumer,
  createKafka,
  createProducer,
  defineEvent,
  on,
  type EventConsumer,
  type EventProducer,
} from '../src/index.ts';

const testEvent = defineEvent('mealpeak.testing.v1.TestEvent', 1, TestEvent);
const logger = createLogger({ service: 'kafka-rebalance-test', level: 'silent' });

// A lag-driven scale-out: one member works through a backlog with a slow handler (a transaction
// per event) and a second member joins. The group must hand the newcomer partitions within
// seconds, not once the first member has worked through everything it fetched.
describe('consumer rebalance during a backlog', () => {
  let tk: TestKafka;
  let kafka: Kafka;
  let producer: EventProducer;
  const consumers: EventConsumer[] = [];

  beforeAll(async () => {
    tk = await createTestKafka();
    kafka = createKafka({ brokers: tk.brokers, clientId: 'kafka-rebalance-test', logger });
    producer = createProducer(kafka, 'kafka-rebalance-test');
    await producer.connect();
  });
  afterAll(async () => {
    await Promise.all(consumers.map((c) => c.stop().catch(() => undefined)));
    await producer?.disconnect();
    await tk?.cleanup();
  });

  it('gives a member that joins mid-backlog work within a few seconds', async () => {
    const topic = tk.topic('rebalance');
    await tk.createTopics([{ name: topic, partitions: 4 }]);
    // 1,000 events at 25 ms: one fetch holds all of them (25 s of work for one member). kafkajs
    // acts on a rebalance only between fetches, so without a prompt stop the first member works
    // through the whole fetch before it rejoins, and the newcomer finds nothing left.
    const backlog = 1_000;
    await producer.publish(
      topic,
      Array.from({ length: backlog }, (_, i) => ({
        type: testEvent,
        key: `order-${i}`,
        payload: { id: String(i), body: 'x' },
      })),
    );
    const firstBy = new Map<string, number>();
    const handledBy = { first: 0, second: 0 };
    const member = (name: 'first' | 'second') => {
      const consumer = createConsumer(kafka, {
        groupId: `${topic}.group`,
        topics: [topic],
        logger,
        handlers: [
          on(testEvent, async () => {
            await sleep(25);
            handledBy[name] += 1;
            if (!firstBy.has(name)) firstBy.set(name, handledBy.first);
          }),
        ],
      });
      consumers.push(consumer);
      return consumer;
    };

    await member('first').start();
    await eventually(() => (handledBy.first >= 10 ? true : undefined), 20_000, 'the first member at work');
    await member('second').start();
    // What the first member had handled when the second handled its first event.
    const firstHadHandled = await eventually(
      () => firstBy.get('second'),
      20_000,
      "the second member's first event",
    );

    // The rebalance happened in the middle of the first member's fetch (it rejoined at its next
    // heartbeat, not after the whole fetch): work was left for the newcomer. Order, not time.
    expect(firstHadHandled).toBeLessThan(backlog);
    // The first member was not dropped from the group: it keeps working too.
    const before = handledBy.first;
    await eventually(
      () => (handledBy.first > before ? true : undefined),
      10_000,
      'the first member after the rebalance',
    );
  });
});
