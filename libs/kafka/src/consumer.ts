import { setTimeout as sleep } from 'node:timers/promises';
import type { Consumer, EachBatchPayload, Kafka, KafkaMessage } from 'kafkajs';
import { context, metrics, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { Attr, Metric, extractTraceContext, type Logger } from '@mealpeak/telemetry';
import type { DedupeStore } from './dedupe.ts';
import { decodeEnvelope, type Envelope } from './envelope.ts';
import { deadLetterTopic, type EventType, type TopicSpec } from './event-type.ts';

export interface ConsumedEvent<T> {
  readonly eventId: string;
  readonly type: string;
  readonly key: string;
  readonly occurredAt: Date;
  readonly payload: T;
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly envelope: Envelope;
}

export type EventHandler<T> = (event: ConsumedEvent<T>) => Promise<void>;

/** Thrown by a handler for an event it can never process: straight to the dead-letter topic. */
export class PoisonMessageError extends Error {
  override readonly name = 'PoisonMessageError';
}

export interface HandlerBinding {
  readonly type: EventType<unknown>;
  readonly handle: EventHandler<unknown>;
}

/** Type-safe pairing of an event type with its handler. */
export const on = <T>(type: EventType<T>, handle: EventHandler<T>): HandlerBinding => ({
  type: type,
  handle: handle as EventHandler<unknown>,
});

export interface ConsumerSettings {
  groupId: string;
  topics: readonly (TopicSpec | string)[];
  handlers: readonly HandlerBinding[];
  logger: Logger;
  dedupe?: DedupeStore;
  /** Attempts per message before it is dead-lettered, with exponential backoff between them. */
  maxAttempts?: number;
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  fromBeginning?: boolean;
}

export interface EventConsumer {
  /** Connects and subscribes; partitions are assigned in the background (see `joined`). */
  start(): Promise<void>;
  /** Resolves once the consumer has joined its group and holds partitions. */
  joined(): Promise<void>;
  /** Finishes the batch in hand, commits what was processed, and leaves the group. */
  stop(): Promise<void>;
}

const tracer = trace.getTracer('@mealpeak/kafka');
const meter = metrics.getMeter('@mealpeak/kafka');
const consumed = meter.createCounter(Metric.KAFKA_CONSUMED);
const deadLettered = meter.createCounter(Metric.KAFKA_DEAD_LETTERED);
const duplicates = meter.createCounter(Metric.KAFKA_DUPLICATES);

/**
 * At-least-once consumer: an offset is resolved only after its message was handled (or
 * dead-lettered), so a crash replays from the last committed offset and never skips one.
 */
export function createConsumer(kafka: Kafka, settings: ConsumerSettings): EventConsumer {
  const log = settings.logger.child({ component: 'consumer', group: settings.groupId });
  const handlers = new Map(settings.handlers.map((h) => [h.type.name, h] as const));
  const maxAttempts = settings.maxAttempts ?? 5;
  const initialBackoff = settings.initialBackoffMs ?? 100;
  const maxBackoff = settings.maxBackoffMs ?? 5_000;
  const consumer: Consumer = kafka.consumer({
    groupId: settings.groupId,
    // A replica killed without leaving the group holds its partitions until this expires.
    sessionTimeout: 10_000,
    heartbeatInterval: 2_000,
    // Long-poll wait of an idle fetch; also bounds how long stop() waits for it.
    maxWaitTimeInMs: 1_000,
    allowAutoTopicCreation: false,
  });
  const joined = new Promise<void>((resolve) => {
    consumer.on(consumer.events.GROUP_JOIN, () => resolve());
  });

  async function sendToDeadLetters(
    topic: string,
    message: KafkaMessage,
    partition: number,
    reason: string,
    envelope?: Envelope,
  ) {
    const dlq = deadLetterTopic(topic);
    log.error(
      {
        topic,
        partition,
        offset: message.offset,
        reason,
        eventId: envelope?.eventId,
        eventType: envelope?.type,
      },
      'dead-lettering message',
    );
    await rawDeadLetter(dlq, message, { topic, partition, reason });
    deadLettered.add(1, { [Attr.MESSAGING_DESTINATION]: topic });
  }

  // Dead letters keep the original bytes (the envelope may be what is broken), so they bypass the
  // envelope-building EventProducer.
  const dlqProducer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
  });
  let dlqConnected = false;
  async function rawDeadLetter(
    dlq: string,
    message: KafkaMessage,
    origin: { topic: string; partition: number; reason: string },
  ) {
    if (!dlqConnected) {
      await dlqProducer.connect();
      dlqConnected = true;
    }
    await dlqProducer.send({
      topic: dlq,
      acks: -1,
      messages: [
        {
          key: message.key,
          value: message.value,
          headers: {
            ...message.headers,
            'dlq-original-topic': origin.topic,
            'dlq-original-partition': String(origin.partition),
            'dlq-original-offset': message.offset,
            'dlq-consumer-group': settings.groupId,
            'dlq-reason': origin.reason.slice(0, 1000),
            'dlq-failed-at': new Date().toISOString(),
          },
        },
      ],
    });
  }

  async function handleMessage(
    topic: string,
    partition: number,
    message: KafkaMessage,
    payload: EachBatchPayload,
  ): Promise<void> {
    let envelope: Envelope;
    try {
      if (!message.value) throw new Error('empty message value');
      envelope = decodeEnvelope(message.value);
      if (!envelope.eventId || !envelope.type) throw new Error('envelope without event id or type');
    } catch (error) {
      await sendToDeadLetters(topic, message, partition, `undecodable envelope: ${String(error)}`);
      return;
    }
    const binding = handlers.get(envelope.type);
    // Types this consumer does not handle (other consumers' events, newer producers) are skipped.
    if (!binding) return;
    if (settings.dedupe && (await settings.dedupe.isProcessed(settings.groupId, envelope.eventId))) {
      duplicates.add(1, { [Attr.MESSAGING_DESTINATION]: topic, [Attr.EVENT_TYPE]: envelope.type });
      return;
    }
    let decoded: unknown;
    try {
      decoded = binding.type.codec.decode(envelope.payload);
    } catch (error) {
      await sendToDeadLetters(topic, message, partition, `undecodable payload: ${String(error)}`, envelope);
      return;
    }
    const event: ConsumedEvent<unknown> = {
      eventId: envelope.eventId,
      type: envelope.type,
      key: envelope.key,
      occurredAt: envelope.occurredAt ?? new Date(Number(message.timestamp)),
      payload: decoded,
      topic,
      partition,
      offset: message.offset,
      envelope,
    };
    const parent = extractTraceContext({
      traceparent: envelope.traceparent,
      tracestate: envelope.tracestate,
    });
    for (let attempt = 1; ; attempt++) {
      const span = tracer.startSpan(
        `process ${envelope.type}`,
        {
          kind: SpanKind.CONSUMER,
          attributes: {
            [Attr.MESSAGING_SYSTEM]: 'kafka',
            [Attr.MESSAGING_DESTINATION]: topic,
            [Attr.MESSAGING_OPERATION]: 'process',
            [Attr.MESSAGING_CONSUMER_GROUP]: settings.groupId,
            [Attr.MESSAGING_PARTITION]: String(partition),
            [Attr.EVENT_ID]: envelope.eventId,
            [Attr.EVENT_TYPE]: envelope.type,
          },
        },
        parent,
      );
      try {
        await context.with(trace.setSpan(parent, span), () => binding.handle(event));
        span.end();
        break;
      } catch (error) {
        span.recordException(error instanceof Error ? error : new Error(String(error)));
        span.setStatus({ code: SpanStatusCode.ERROR });
        span.end();
        if (error instanceof PoisonMessageError || attempt >= maxAttempts) {
          await sendToDeadLetters(
            topic,
            message,
            partition,
            `handler failed after ${attempt} attempt(s): ${String(error)}`,
            envelope,
          );
          return;
        }
        log.warn(
          { err: error, attempt, eventId: envelope.eventId, eventType: envelope.type },
          'handler failed; retrying',
        );
        await sleep(Math.min(maxBackoff, initialBackoff * 2 ** (attempt - 1)));
        await payload.heartbeat();
      }
    }
    await settings.dedupe?.markProcessed(settings.groupId, envelope.eventId);
    consumed.add(1, { [Attr.MESSAGING_DESTINATION]: topic, [Attr.EVENT_TYPE]: envelope.type });
  }

  return {
    async start() {
      await consumer.connect();
      const topics = settings.topics.map((t) => (typeof t === 'string' ? t : t.name));
      await consumer.subscribe({ topics, fromBeginning: settings.fromBeginning ?? true });
      // Not awaited: joining can wait for a dead member's session to expire, and nothing else in
      // the service should wait for that. kafkajs restarts the runner after retriable crashes.
      void consumer
        .run({
          eachBatchAutoResolve: false,
          autoCommitInterval: 1_000,
          autoCommitThreshold: 200,
          eachBatch: async (payload) => {
            const { batch } = payload;
            for (const message of batch.messages) {
              if (!payload.isRunning() || payload.isStale()) break;
              await handleMessage(batch.topic, batch.partition, message, payload);
              payload.resolveOffset(message.offset);
              await payload.commitOffsetsIfNecessary();
            }
            await payload.heartbeat();
          },
        })
        .catch((error: unknown) => log.error({ err: error }, 'consumer failed to run'));
      log.info({ topics }, 'consumer started');
    },
    joined: () => joined,
    async stop() {
      // disconnect() stops fetching, waits for the running batch, commits resolved offsets, and
      // sends LeaveGroup so the partitions move to the other replicas at once.
      await consumer.disconnect();
      if (dlqConnected) await dlqProducer.disconnect();
      log.info('consumer stopped and left its group');
    },
  };
}
