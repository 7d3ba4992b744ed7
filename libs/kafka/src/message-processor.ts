import { setTimeout as sleep } from 'node:timers/promises';
import { context, metrics, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { isTransientFailure } from '@mealpeak/core';
import { Attr, Metric, extractTraceContext, type Logger } from '@mealpeak/telemetry';
import type { DedupeStore } from './dedupe.ts';
import { decodeEnvelope, type Envelope } from './envelope.ts';
import type { EventType, TopicSpec } from './event-type.ts';
import { isKeyedByOrderId } from './registry.ts';

export { DLQ_HEADERS, deadLetterHeaders } from './dead-letter-headers.ts';

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

/**
 * Handles a run of consecutive events of one type in one go (typically one transaction and one
 * statement for all of them). All or nothing: when it throws, each event of the run is handled
 * again on its own by the single-event handler, with its retries and dead-lettering.
 */
export type BatchEventHandler<T> = (events: readonly ConsumedEvent<T>[]) => Promise<void>;

export interface HandlerBinding {
  readonly type: EventType<unknown>;
  readonly handle: EventHandler<unknown>;
  readonly handleBatch?: BatchEventHandler<unknown>;
}

/**
 * Type-safe pairing of an event type with its handler, and optionally a batch handler for runs of
 * consecutive events of that type (the Kafka consumer hands over up to `maxBatch` at once).
 */
export const on = <T>(
  type: EventType<T>,
  handle: EventHandler<T>,
  handleBatch?: BatchEventHandler<T>,
): HandlerBinding => ({
  type,
  handle: handle as EventHandler<unknown>,
  ...(handleBatch ? { handleBatch: handleBatch as BatchEventHandler<unknown> } : {}),
});

export interface ConsumerSettings {
  groupId: string;
  topics: readonly (TopicSpec | string)[];
  handlers: readonly HandlerBinding[];
  logger: Logger;
  dedupe?: DedupeStore;
  /**
   * Attempts per message before it is dead-lettered, with exponential backoff between them. A
   * transient failure (a dependency away: isTransientFailure) does not count: the message is
   * retried until it goes through or the consumer stops or loses the partition, since a
   * PostgreSQL restart must not send every event of those seconds to the dead letters.
   */
  maxAttempts?: number;
  /**
   * How long an event may keep failing transiently before its failures count towards
   * maxAttempts after all (default 15 min): a failure taken for transient that is not (a query
   * that always times out) must not hold the partition for ever.
   */
  maxTransientMs?: number;
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  fromBeginning?: boolean;
  /** Most events one batch handler call receives (default 500). */
  maxBatch?: number;
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

/**
 * What happens to one message, whatever carries it (Kafka, or the in-memory bus of the local
 * run): decode the envelope (undecodable -> dead letter), skip types this consumer does not
 * handle, skip duplicates, run the handler inside the producer's trace with retries and
 * exponential backoff, and dead-letter it when it keeps failing; runs of events with a batch
 * handler go to it together. `handled` reports each offset that may be committed; `heartbeat`
 * runs between attempts so a slow retry does not cost the partitions.
 */
export function createMessageProcessor(settings: ConsumerSettings, deadLetter: DeadLetterSink) {
  const log = settings.logger.child({ component: 'consumer', group: settings.groupId });
  const handlers = new Map(settings.handlers.map((h) => [h.type.name, h] as const));
  const maxAttempts = settings.maxAttempts ?? 5;
  const initialBackoff = settings.initialBackoffMs ?? 100;
  const maxBackoff = settings.maxBackoffMs ?? 5_000;
  const maxTransientMs = settings.maxTransientMs ?? 15 * 60_000;
  // Every topic's dead-letter series exists from the start, at 0: an alert on its increase then
  // sees the first dead letter too (a series that appears at 1 has increased by nothing).
  for (const topic of settings.topics)
    deadLettered.add(0, { [Attr.MESSAGING_DESTINATION]: typeof topic === 'string' ? topic : topic.name });

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

  interface Prepared {
    readonly message: RawMessage;
    readonly binding: HandlerBinding;
    readonly event: ConsumedEvent<unknown>;
  }

  /**
   * Decodes a message for its handler. Undefined when there is nothing to handle: dead-lettered
   * (undecodable), a type this consumer does not handle, or a duplicate the dedupe store knows.
   */
  async function prepare(message: RawMessage): Promise<Prepared | undefined> {
    const { topic, partition } = message;
    let envelope: Envelope;
    try {
      if (!message.value) throw new Error('empty message value');
      envelope = decodeEnvelope(message.value);
      if (!envelope.eventId || !envelope.type) throw new Error('envelope without event id or type');
    } catch (error) {
      await sendToDeadLetters(message, `undecodable envelope: ${String(error)}`);
      return undefined;
    }
    const binding = handlers.get(envelope.type);
    // Types this consumer does not handle (other consumers' events, newer producers) are skipped.
    if (!binding) return undefined;
    if (settings.dedupe && (await settings.dedupe.isProcessed(settings.groupId, envelope.eventId))) {
      duplicates.add(1, { [Attr.MESSAGING_DESTINATION]: topic, [Attr.EVENT_TYPE]: envelope.type });
      return undefined;
    }
    let decoded: unknown;
    try {
      decoded = binding.type.codec.decode(envelope.payload);
    } catch (error) {
      await sendToDeadLetters(message, `undecodable payload: ${String(error)}`, envelope);
      return undefined;
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
    return { message, binding, event };
  }

  const parentOf = ({ envelope }: ConsumedEvent<unknown>) =>
    extractTraceContext({ traceparent: envelope.traceparent, tracestate: envelope.tracestate });

  const keyedByOrderId = new Set(
    settings.topics.filter((t) => isKeyedByOrderId(t)).map((t) => (typeof t === 'string' ? t : t.name)),
  );

  const spanAttributes = (event: ConsumedEvent<unknown>) => ({
    [Attr.MESSAGING_SYSTEM]: 'kafka',
    [Attr.MESSAGING_DESTINATION]: event.topic,
    [Attr.MESSAGING_OPERATION]: 'process',
    [Attr.MESSAGING_CONSUMER_GROUP]: settings.groupId,
    [Attr.MESSAGING_PARTITION]: String(event.partition),
    [Attr.EVENT_TYPE]: event.type,
    // The order's trace is found by its id: the key, on topics keyed by it.
    ...(keyedByOrderId.has(event.topic) && event.key ? { [Attr.ORDER_ID]: event.key } : {}),
  });

  async function done(events: readonly ConsumedEvent<unknown>[]): Promise<void> {
    for (const event of events) await settings.dedupe?.markProcessed(settings.groupId, event.eventId);
    const first = events[0];
    if (first)
      consumed.add(events.length, {
        [Attr.MESSAGING_DESTINATION]: first.topic,
        [Attr.EVENT_TYPE]: first.type,
      });
  }

  /**
   * One event through its handler, inside the producer's trace, with retries and dead-lettering.
   * 'abandoned': it kept failing transiently until the consumer stopped or lost the partition; it
   * is neither handled nor dead-lettered, and whoever owns the partition next reads it again.
   */
  async function handleOne(
    { message, binding, event }: Prepared,
    heartbeat: () => Promise<void>,
    keepGoing: () => boolean,
  ): Promise<'handled' | 'abandoned'> {
    const parent = parentOf(event);
    let failures = 0; // that count towards maxAttempts
    const started = Date.now();
    for (let attempt = 1; ; attempt++) {
      const span = tracer.startSpan(
        `process ${event.type}`,
        { kind: SpanKind.CONSUMER, attributes: { ...spanAttributes(event), [Attr.EVENT_ID]: event.eventId } },
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
        const transient =
          !(error instanceof PoisonMessageError) &&
          isTransientFailure(error) &&
          Date.now() - started < maxTransientMs;
        if (!transient) failures += 1;
        if (error instanceof PoisonMessageError || failures >= maxAttempts) {
          await sendToDeadLetters(
            message,
            `handler failed after ${attempt} attempt(s): ${String(error)}`,
            event.envelope,
          );
          return 'handled';
        }
        // A dependency that stays away is logged now and then, not on every retry.
        if (!transient || attempt <= 3 || attempt % 12 === 0)
          log.warn(
            { err: error, attempt, transient, eventId: event.eventId, eventType: event.type },
            transient
              ? 'handler failed on a dependency; retrying until it is back'
              : 'handler failed; retrying',
          );
        await sleep(Math.min(maxBackoff, initialBackoff * 2 ** (Math.min(attempt, 20) - 1)));
        if (!keepGoing()) {
          log.warn(
            {
              attempt,
              eventId: event.eventId,
              eventType: event.type,
              partition: event.partition,
              offset: event.offset,
            },
            'stopped retrying: the consumer is stopping or lost the partition; the event is read again',
          );
          return 'abandoned';
        }
        await heartbeat();
      }
    }
    await done([event]);
    return 'handled';
  }

  /**
   * A run of events of one type through the batch handler, in one span linked to every producer's
   * trace (it holds the handler's own spans: SQL...). That span is a root, sampled on its own, so
   * each event also gets a span in its producer's trace, with the batch's timing and outcome and a
   * link to it: an order's trace shows its event processed whichever way it was. If the batch
   * fails, every event is handled on its own (retries, dead letters).
   *
   * Returns the offset up to which the run was handled (its last, unless a retry was abandoned).
   */
  async function handleRun(
    run: readonly Prepared[],
    heartbeat: () => Promise<void>,
    keepGoing: () => boolean,
  ): Promise<string | undefined> {
    const first = run[0]!;
    const handleBatch = first.binding.handleBatch!;
    const events = run.map((p) => p.event);
    const span = tracer.startSpan(`process ${first.event.type}`, {
      kind: SpanKind.CONSUMER,
      attributes: { ...spanAttributes(first.event), [Attr.MESSAGING_BATCH_SIZE]: events.length },
      links: events.flatMap((e) => {
        const linked = trace.getSpanContext(parentOf(e));
        return linked ? [{ context: linked }] : [];
      }),
    });
    const perEvent = events.map((e) =>
      tracer.startSpan(
        `process ${e.type}`,
        {
          kind: SpanKind.CONSUMER,
          attributes: {
            ...spanAttributes(e),
            [Attr.EVENT_ID]: e.eventId,
            [Attr.MESSAGING_BATCH_SIZE]: events.length,
          },
          links: [{ context: span.spanContext() }],
        },
        parentOf(e),
      ),
    );
    const end = (failed?: { error: unknown }) => {
      for (const s of [span, ...perEvent]) {
        if (failed) {
          const { error } = failed;
          s.recordException(error instanceof Error ? error : new Error(String(error)));
          s.setStatus({ code: SpanStatusCode.ERROR });
        }
        s.end();
      }
    };
    try {
      await context.with(trace.setSpan(context.active(), span), () => handleBatch(events));
      end();
    } catch (error) {
      end({ error });
      log.warn(
        { err: error, events: events.length, eventType: first.event.type },
        'batch handler failed; handling its events one by one',
      );
      let handledUpTo: string | undefined;
      for (const p of run) {
        if ((await handleOne(p, heartbeat, keepGoing)) === 'abandoned') return handledUpTo;
        handledUpTo = p.message.offset;
      }
      return handledUpTo;
    }
    await done(events);
    return run.at(-1)!.message.offset;
  }

  return {
    /**
     * Messages of one partition, in order. Consecutive events of a type with a batch handler go to
     * it together (up to maxBatch); `handled` is called with the last offset of every finished
     * step, and nothing new starts once `keepGoing` says no (shutdown, rebalance).
     */
    async batch(
      messages: readonly RawMessage[],
      heartbeat: () => Promise<void>,
      handled: (offset: string) => Promise<void>,
      keepGoing: () => boolean = () => true,
    ): Promise<void> {
      const maxBatch = settings.maxBatch ?? 500;
      let run: Prepared[] = [];
      /** false when a retry was abandoned: nothing after it may be handled (per-key order). */
      const flush = async (): Promise<boolean> => {
        const last = run.at(-1);
        if (!last) return true;
        const upTo = await handleRun(run, heartbeat, keepGoing);
        run = [];
        if (upTo !== undefined) await handled(upTo);
        return upTo === last.message.offset;
      };
      for (const message of messages) {
        if (!keepGoing()) break;
        const prepared = await prepare(message);
        if (prepared?.binding.handleBatch) {
          if (run.length > 0 && (run[0]!.binding !== prepared.binding || run.length >= maxBatch))
            if (!(await flush())) return;
          run.push(prepared);
          continue;
        }
        // Skipped and single-handled messages keep their place: the pending run goes first.
        if (!(await flush())) return;
        if (prepared && (await handleOne(prepared, heartbeat, keepGoing)) === 'abandoned') return;
        await handled(message.offset);
      }
      await flush();
    },
  };
}
