import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import type { Kafka } from 'kafkajs';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { TestEvent } from '@mealpeak/contracts/testing.v1';
import { createLogger } from '@mealpeak/telemetry';
import { installInMemoryTracing } from '@mealpeak/telemetry/testing';
import { buildEnvelope, encodeEnvelope, type Envelope } from './envelope.ts';
import { defineEvent } from './event-type.ts';
import { createMessageProcessor, on, type RawMessage } from './message-processor.ts';
import { createProducer } from './producer.ts';
import { prefixTopics, TOPICS } from './registry.ts';

/**
 * The spans of publishing and consuming: in the trace of the state change that caused the event,
 * labelled with the order id on topics keyed by it, failed when the work failed.
 */

const tracing = installInMemoryTracing();
afterAll(() => tracing.shutdown());
beforeEach(() => tracing.reset());

const logger = createLogger({ service: 't', level: 'silent' });
const testEvent = defineEvent('mealpeak.testing.v1.TestEvent', 1, TestEvent);
// Prefixed as in an environment sharing a cluster: still recognised as keyed by order id.
const topics = prefixTopics(TOPICS, 'staging.');
const ORDER_TOPIC = topics.orderEvents.name;

const traceId = (n: number) => `4bf92f3577b34da6a3ce929d0e0e47${String(n).padStart(2, '0')}`;
const parentSpan = (n: number) => `00f067aa0ba902${String(n).padStart(2, '0')}`;
const traceparent = (n: number) => `00-${traceId(n)}-${parentSpan(n)}-01`;

function envelope(n: number, key = `order-${n}`): Envelope {
  return buildEnvelope(
    { type: testEvent, key, payload: { id: key, body: String(n) }, traceparent: traceparent(n) },
    'order',
  );
}

/** A producer over a fake kafkajs client whose send fails while `failing` is set. */
function producer() {
  const state = { failing: false, sent: 0 };
  const kafka = {
    producer: () => ({
      connect: async () => undefined,
      disconnect: async () => undefined,
      send: async () => {
        if (state.failing) throw new Error('broker not available');
        state.sent += 1;
        return [];
      },
    }),
  } as unknown as Kafka;
  return { state, producer: createProducer(kafka, 'order') };
}

describe('publishing outbox envelopes', () => {
  it('gives each envelope a span in the trace of the change that stored it, with its order id', async () => {
    const { producer: p } = producer();
    await p.publishEnvelopes(ORDER_TOPIC, [envelope(1), envelope(2)]);
    const spans = tracing.spans().filter((s) => s.kind === SpanKind.PRODUCER);
    expect(spans).toHaveLength(2);
    for (const n of [1, 2]) {
      const span = spans.find((s) => s.spanContext().traceId === traceId(n));
      expect(span?.name).toBe(`publish ${ORDER_TOPIC}`);
      expect(span?.parentSpanContext?.spanId).toBe(parentSpan(n));
      expect(span?.attributes['mealpeak.order.id']).toBe(`order-${n}`);
      expect(span?.status.code).toBe(SpanStatusCode.UNSET);
    }
  });

  it('records the failure on them when Kafka refuses', async () => {
    const { producer: p, state } = producer();
    state.failing = true;
    await expect(p.publishEnvelopes(ORDER_TOPIC, [envelope(3)])).rejects.toThrow('broker not available');
    const [span] = tracing.spans();
    expect(span?.status.code).toBe(SpanStatusCode.ERROR);
    expect(span?.events.map((e) => e.name)).toContain('exception');
  });

  it('leaves the order id off topics keyed by something else', async () => {
    const { producer: p } = producer();
    await p.publishEnvelopes(topics.merchantEvents.name, [envelope(4, 'merchant-4')]);
    expect(tracing.spans()[0]?.attributes['mealpeak.order.id']).toBeUndefined();
  });
});

let offset = 0;
const raw = (env: Envelope): RawMessage => ({
  topic: ORDER_TOPIC,
  partition: 0,
  offset: String(offset++),
  key: Buffer.from(env.key),
  value: encodeEnvelope(env),
  headers: {},
  timestamp: String(Date.now()),
});

async function consume(messages: RawMessage[], handleBatch?: () => Promise<void>): Promise<void> {
  const processor = createMessageProcessor(
    {
      groupId: 'merchant',
      topics: [topics.orderEvents],
      logger,
      handlers: [on(testEvent, async () => undefined, handleBatch)],
      maxAttempts: 1,
      initialBackoffMs: 1,
    },
    async () => undefined,
  );
  await processor.batch(
    messages,
    async () => undefined,
    async () => undefined,
  );
}

describe('processing events', () => {
  it("continues the producer's trace and labels the span with the order id", async () => {
    await consume([raw(envelope(5))]);
    const [span] = tracing.spans().filter((s) => s.kind === SpanKind.CONSUMER);
    expect(span?.spanContext().traceId).toBe(traceId(5));
    expect(span?.attributes['mealpeak.order.id']).toBe('order-5');
  });

  it("gives each event of a batch a span in its own producer's trace, linked to the batch's", async () => {
    await consume([raw(envelope(6)), raw(envelope(7))], async () => undefined);
    const spans = tracing.spans().filter((s) => s.kind === SpanKind.CONSUMER);
    const batch = spans.find((s) => s.links.length === 2);
    expect(batch?.attributes['messaging.batch.message_count']).toBe(2);
    for (const n of [6, 7]) {
      const own = spans.find((s) => s.spanContext().traceId === traceId(n));
      expect(own?.parentSpanContext?.spanId).toBe(parentSpan(n));
      expect(own?.attributes['mealpeak.order.id']).toBe(`order-${n}`);
      expect(own?.links.map((l) => l.context.spanId)).toEqual([batch?.spanContext().spanId]);
    }
  });

  it('marks the per-event spans failed when the batch fails', async () => {
    await consume([raw(envelope(8)), raw(envelope(9))], async () => {
      throw new Error('deadlock detected');
    });
    const failed = tracing
      .spans()
      .filter((s) => s.kind === SpanKind.CONSUMER && s.attributes['messaging.batch.message_count'] === 2);
    // The batch span and one per event, all failed; each event is then handled alone.
    expect(failed).toHaveLength(3);
    for (const s of failed) expect(s.status.code).toBe(SpanStatusCode.ERROR);
  });
});
