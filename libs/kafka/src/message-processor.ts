import { setTimeout as sleep } from 'node:timers/promises';
import { context, metrics, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { Attr, Metric, extractTraceContext, type Logger } from '@mealpeak/telemetry';
import type { DedupeStore } from './dedupe.ts';
import { decodeEnvelope, type Envelope } from './envelope.ts';
import type { EventType, TopicSpec } from './event-type.ts';

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
  type,
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
  /** Finishes the message in hand, commits what was processed, and leaves the group. */
  stop(): Promise<void>;
}

/** One message as any transport hands it over. */
export interface RawMessage {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: Record<string, string | Buffer | undefined>;
  readonly timestamp: string;
}

/** Sends the original bytes and headers of a failed message to `<topic>.dlq` with the reason. */
export type DeadLetterSink = (message: RawMessage, reason: string) => Promise<void>;

const tracer = trace.getTracer('@mealpeak/kafka');
const meter = metrics.getMeter('@mealpeak/kafka');
const consumed = meter.createCounter(Metric.KAFKA_CONSUMED);
const deadLettered = meter.createCounter(Metric.KAFKA_DEAD_LETTERED);
const duplicates = meter.createCounter(Metric.KAFKA_DUPLICATES);

export const deadLetterHeaders = (
  m: RawMessage,
  group: string,
  reason: string,
): Record<string, string | Buffer> => ({
  ...(Object.fromEntries(Object.entries(m.headers).filter(([, v]) => v !== undefined)) as Record<
    string,
    string | Buffer
  >),
  'dlq-original-topic': m.topic,
  'dlq-original-partition': String(m.partition),
  'dlq-original-offset': m.offset,
  'dlq-consumer-group': group,
  'dlq-reason': reason.slice(0, 1000),
  'dlq-failed-at': new Date().toISOString(),
});

/**
 * What happens to one message, whatever carries it (Kafka, or the in-memory bus of the local
 * run): decode the envelope (undecodable -> dead letter), skip types this consumer does not
 * handle, skip duplicates, run the handler inside the producer's trace with retries and
 * exponential backoff, and dead-letter it when it keeps failing. Resolves when the message may
 * be committed; `heartbeat` runs between attempts so a slow retry does not cost the partitions.
 */
export function createMessageProcessor(settings: ConsumerSettings, deadLetter: DeadLetterSink) {
  const log = settings.logger.child({ component: 'consumer', group: settings.groupId });
  const handlers = new Map(settings.handlers.map((h) => [h.type.name, h] as const));
  const maxAttempts = settings.maxAttempts ?? 5;
  const initialBackoff = settings.initialBackoffMs ?? 100;
  const maxBackoff = settings.maxBackoffMs ?? 5_000;

  async function sendToDeadLetters(message: RawMessage, reason: string, envelope?: Envelope): Promise<void> {
    log.error(
      {
        topic: message.topic,
        partition: message.partition,
        offset: message.offset,
        reason,
        eventId: envelope?.eventId,
        eventType: envelope?.type,
      },
      'dead-lettering message',
    );
    await deadLetter(message, reason);
    deadLettered.add(1, { [Attr.MESSAGING_DESTINATION]: message.topic });
  }

  return async function process(message: RawMessage, heartbeat: () => Promise<void>): Promise<void> {
    const { topic, partition } = message;
    let envelope: Envelope;
    try {
      if (!message.value) throw new Error('empty message value');
      envelope = decodeEnvelope(message.value);
      if (!envelope.eventId || !envelope.type) throw new Error('envelope without event id or type');
    } catch (error) {
      await sendToDeadLetters(message, `undecodable envelope: ${String(error)}`);
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
      await sendToDeadLetters(message, `undecodable payload: ${String(error)}`, envelope);
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
            message,
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
        await heartbeat();
      }
    }
    await settings.dedupe?.markProcessed(settings.groupId, envelope.eventId);
    consumed.add(1, { [Attr.MESSAGING_DESTINATION]: topic, [Attr.EVENT_TYPE]: envelope.type });
  };
}
