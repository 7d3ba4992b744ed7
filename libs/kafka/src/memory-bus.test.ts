import { describe, expect, it } from 'vitest';
import { TestEvent } from '@mealpeak/contracts/testing.v1';
import { createLogger } from '@mealpeak/telemetry';
import { deadLetterTopic, defineEvent } from './event-type.ts';
import { createMemoryBus } from './memory-bus.ts';
import { on, type ConsumedEvent } from './message-processor.ts';

const testEvent = defineEvent('mealpeak.testing.v1.TestEvent', 1, TestEvent);
const logger = createLogger({ service: 't', level: 'silent' });
const topic = {
  name: 'things.v1',
  partitions: 4,
  key: 'id',
  events: [testEvent],
  producers: [],
  consumers: [],
};
const event = (key: string, body: string) => ({ type: testEvent, key, payload: { id: key, body } });

async function until(check: () => boolean, what: string) {
  for (let i = 0; i < 200; i++) {
    if (check()) return;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('in-memory event bus (the local run stand-in for Kafka)', () => {
  it('delivers every event once, in per-key order, through the envelope', async () => {
    const bus = createMemoryBus(logger);
    await bus.ensureTopics([topic]);
    const seen: ConsumedEvent<TestEvent>[] = [];
    const consumer = bus.consumer({
      groupId: 'g',
      topics: [topic],
      handlers: [on(testEvent, async (e) => void seen.push(e))],
      logger,
    });
    await consumer.start();
    const producer = bus.producer('svc');
    for (let n = 0; n < 20; n++) await producer.publish(topic, [event(`k${n % 5}`, String(n))]);
    await until(() => seen.length === 20, '20 events');
    for (let k = 0; k < 5; k++) {
      expect(seen.filter((e) => e.key === `k${k}`).map((e) => Number(e.payload.body))).toEqual([
        k,
        k + 5,
        k + 10,
        k + 15,
      ]);
    }
    expect(new Set(seen.map((e) => e.eventId)).size).toBe(20);
    expect(seen[0]?.envelope.producer).toBe('svc');
    await consumer.stop();
  });

  it('retries a failing handler and dead-letters a message that keeps failing, then moves on', async () => {
    const bus = createMemoryBus(logger);
    const handled: string[] = [];
    let flaky = 2;
    const consumer = bus.consumer({
      groupId: 'g',
      topics: [topic],
      logger,
      maxAttempts: 3,
      initialBackoffMs: 1,
      handlers: [
        on(testEvent, async (e) => {
          if (e.payload.body === 'flaky' && flaky-- > 0) throw new Error('transient');
          if (e.payload.body === 'poison') throw new Error('never works');
          handled.push(e.payload.body);
        }),
      ],
    });
    await consumer.start();
    const producer = bus.producer('svc');
    await producer.publish(topic, [event('same', 'flaky'), event('same', 'poison'), event('same', 'after')]);
    await until(() => handled.includes('after'), 'the event after the poison one');
    expect(handled).toEqual(['flaky', 'after']);
    const dlq: string[] = [];
    const reader = bus.consumer({
      groupId: 'dlq-reader',
      topics: [deadLetterTopic(topic.name)],
      logger,
      handlers: [on(testEvent, async (e) => void dlq.push(e.payload.body))],
    });
    await reader.start();
    await until(() => dlq.length === 1, 'the dead letter');
    expect(dlq).toEqual(['poison']);
    await Promise.all([consumer.stop(), reader.stop()]);
  });

  it('shares partitions among the members of a group and resumes from the committed offset', async () => {
    const bus = createMemoryBus(logger);
    await bus.ensureTopics([topic]);
    const seen: string[] = [];
    const member = () =>
      bus.consumer({
        groupId: 'shared',
        topics: [topic],
        logger,
        handlers: [on(testEvent, async (e) => void seen.push(e.payload.body))],
      });
    const a = member();
    const b = member();
    await Promise.all([a.start(), b.start()]);
    const producer = bus.producer('svc');
    for (let n = 0; n < 40; n++) await producer.publish(topic, [event(`k${n}`, `first-${n}`)]);
    await until(() => seen.length === 40, '40 events across two members');
    await b.stop();
    for (let n = 0; n < 10; n++) await producer.publish(topic, [event(`k${n}`, `second-${n}`)]);
    await until(() => seen.length === 50, 'the survivor takes every partition');
    await a.stop();
    for (let n = 0; n < 5; n++) await producer.publish(topic, [event(`k${n}`, `third-${n}`)]);
    const c = member();
    await c.start();
    await until(() => seen.length === 55, 'a restarted member resuming at the committed offset');
    expect(new Set(seen).size).toBe(55);
    await c.stop();
  });

  it('gives every group its own copy of the log', async () => {
    const bus = createMemoryBus(logger);
    const a: string[] = [];
    const b: string[] = [];
    const ca = bus.consumer({
      groupId: 'merchant',
      topics: [topic],
      logger,
      handlers: [on(testEvent, async (e) => void a.push(e.payload.body))],
    });
    const cb = bus.consumer({
      groupId: 'rider-dispatch',
      topics: [topic],
      logger,
      handlers: [on(testEvent, async (e) => void b.push(e.payload.body))],
    });
    await Promise.all([ca.start(), cb.start()]);
    await bus.producer('svc').publish(topic, [event('x', 'one'), event('y', 'two')]);
    await until(() => a.length === 2 && b.length === 2, 'both groups');
    await Promise.all([ca.stop(), cb.stop()]);
  });
});
