import { CompressionTypes, type Kafka, type Producer } from 'kafkajs';
import {
  context,
  metrics,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Span,
} from '@opentelemetry/api';
import { Attr, Metric, extractTraceContext } from '@mealpeak/telemetry';
import { buildEnvelope, encodeEnvelope, type Envelope, type OutgoingEvent } from './envelope.ts';
import type { TopicSpec } from './event-type.ts';
import { isKeyedByOrderId } from './registry.ts';

export interface EventProducer {
  connect(): Promise<void>;
  /**
   * Publishes events to one topic and resolves once every broker acknowledged (acks=all). Events
   * with the same key keep their order. Returns the event ids it published.
   */
  publish(topic: TopicSpec | string, events: readonly OutgoingEvent<unknown>[]): Promise<string[]>;
  /** Publishes envelopes built elsewhere (the outbox relay stores them ready-made). */
  publishEnvelopes(topic: TopicSpec | string, envelopes: readonly Envelope[]): Promise<void>;
  disconnect(): Promise<void>;
}

const tracer = trace.getTracer('@mealpeak/kafka');
const published = metrics.getMeter('@mealpeak/kafka').createCounter(Metric.KAFKA_PUBLISHED);

/**
 * Idempotent producer: the broker drops duplicates caused by the client's own retries, and one
 * in-flight request per connection keeps per-partition order through those retries.
 */
export function createProducer(kafka: Kafka, producerName: string): EventProducer {
  const producer: Producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
  });

  const attributesOf = (topic: string) => ({
    [Attr.MESSAGING_SYSTEM]: 'kafka',
    [Attr.MESSAGING_DESTINATION]: topic,
    [Attr.MESSAGING_OPERATION]: 'send',
  });

  async function sendEnvelopes(topic: string, envelopes: readonly Envelope[]): Promise<void> {
    if (envelopes.length === 0) return;
    await producer.send({
      topic,
      acks: -1,
      compression: CompressionTypes.None,
      messages: envelopes.map((env) => ({
        key: env.key,
        value: encodeEnvelope(env),
        // Trace context also as headers so generic Kafka tooling can follow the trace.
        headers: {
          'event-id': env.eventId,
          'event-type': env.type,
          ...(env.traceparent ? { traceparent: env.traceparent } : {}),
          ...(env.tracestate ? { tracestate: env.tracestate } : {}),
        },
      })),
    });
    for (const env of envelopes) {
      published.add(1, { [Attr.MESSAGING_DESTINATION]: topic, [Attr.EVENT_TYPE]: env.type });
    }
  }

  /** Ends spans with the outcome of what they cover: an exception and ERROR when it failed. */
  async function tracing<T>(spans: readonly Span[], work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      for (const span of spans) {
        span.recordException(error instanceof Error ? error : new Error(String(error)));
        span.setStatus({ code: SpanStatusCode.ERROR });
      }
      throw error;
    } finally {
      for (const span of spans) span.end();
    }
  }

  /** Events published now: one span, child of the active one; the envelopes continue from it. */
  async function publish(topicSpec: TopicSpec | string, events: readonly OutgoingEvent<unknown>[]) {
    const topic = typeof topicSpec === 'string' ? topicSpec : topicSpec.name;
    const keys = new Set(events.map((e) => e.key));
    const span = tracer.startSpan(`publish ${topic}`, {
      kind: SpanKind.PRODUCER,
      attributes: {
        ...attributesOf(topic),
        [Attr.MESSAGING_BATCH_SIZE]: events.length,
        ...(isKeyedByOrderId(topicSpec) && keys.size === 1 ? { [Attr.ORDER_ID]: [...keys][0] } : {}),
      },
    });
    return tracing([span], () =>
      context.with(trace.setSpan(context.active(), span), async () => {
        const envelopes = events.map((e) => buildEnvelope(e, producerName));
        await sendEnvelopes(topic, envelopes);
        return envelopes.map((e) => e.eventId);
      }),
    );
  }

  /**
   * Envelopes built elsewhere (the outbox relay's rows, each with the trace context captured when
   * the state change was committed): one span per envelope, in that change's trace, so an order's
   * trace goes on from its change through the publish to its consumers. Not one span for the
   * send: it would be a root of its own, sampled apart from every trace it carries.
   */
  async function publishEnvelopes(topicSpec: TopicSpec | string, envelopes: readonly Envelope[]) {
    const topic = typeof topicSpec === 'string' ? topicSpec : topicSpec.name;
    const byOrder = isKeyedByOrderId(topicSpec);
    const spans = envelopes.map((env) =>
      tracer.startSpan(
        `publish ${topic}`,
        {
          kind: SpanKind.PRODUCER,
          attributes: {
            ...attributesOf(topic),
            [Attr.EVENT_ID]: env.eventId,
            [Attr.EVENT_TYPE]: env.type,
            [Attr.MESSAGING_BATCH_SIZE]: envelopes.length,
            ...(byOrder && env.key ? { [Attr.ORDER_ID]: env.key } : {}),
          },
        },
        env.traceparent
          ? extractTraceContext({ traceparent: env.traceparent, tracestate: env.tracestate }, ROOT_CONTEXT)
          : ROOT_CONTEXT,
      ),
    );
    await tracing(spans, () => sendEnvelopes(topic, envelopes));
  }

  return {
    connect: () => producer.connect(),
    disconnect: () => producer.disconnect(),
    publish,
    publishEnvelopes,
  };
}
