import { CompressionTypes, type Kafka, type Producer } from 'kafkajs';
import { context, metrics, SpanKind, trace } from '@opentelemetry/api';
import { Attr, Metric } from '@mealpeak/telemetry';
import { buildEnvelope, encodeEnvelope, type Envelope, type OutgoingEvent } from './envelope.ts';
import type { TopicSpec } from './event-type.ts';

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

  async function send(topicSpec: TopicSpec | string, build: () => Envelope[]): Promise<string[]> {
    const topic = typeof topicSpec === 'string' ? topicSpec : topicSpec.name;
    const span = tracer.startSpan(`publish ${topic}`, {
      kind: SpanKind.PRODUCER,
      attributes: {
        [Attr.MESSAGING_SYSTEM]: 'kafka',
        [Attr.MESSAGING_DESTINATION]: topic,
        [Attr.MESSAGING_OPERATION]: 'send',
      },
    });
    try {
      return await context.with(trace.setSpan(context.active(), span), async () => {
        const envelopes = build();
        if (envelopes.length === 0) return [];
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
        return envelopes.map((e) => e.eventId);
      });
    } finally {
      span.end();
    }
  }

  return {
    connect: () => producer.connect(),
    disconnect: () => producer.disconnect(),
    // Envelopes are built inside the producer span, so consumers continue from it.
    publish: (topicSpec, events) => send(topicSpec, () => events.map((e) => buildEnvelope(e, producerName))),
    // Ready-made envelopes (the outbox) keep the trace context captured when the change happened.
    publishEnvelopes: async (topicSpec, envelopes) => {
      await send(topicSpec, () => [...envelopes]);
    },
  };
}
