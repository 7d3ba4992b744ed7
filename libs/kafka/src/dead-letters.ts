import { randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import { decodeEnvelope } from './envelope.ts';
import { deadLetterTopic } from './event-type.ts';
import { DLQ_HEADERS } from './message-processor.ts';

/** One message of a `<topic>.dlq` topic, as the consumer that gave up on it wrote it. */
export interface DeadLetter {
  readonly dlqTopic: string;
  readonly partition: number;
  readonly offset: string;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  /** The original message's headers, without the dlq-* ones. */
  readonly headers: Record<string, Buffer>;
  readonly originalTopic: string;
  readonly originalPartition: string;
  readonly originalOffset: string;
  readonly consumerGroup: string;
  readonly reason: string;
  readonly failedAt: string;
  /** From the envelope, when it decodes. */
  readonly eventType?: string;
  readonly eventId?: string;
  /** Set when this dead letter is itself a replay that failed again. */
  readonly replayedFrom?: string;
}

/** Marks a replayed message; kept apart from the original headers a replay sends again. */
const REPLAYED_FROM = 'replayed-from';
const ADDED = new Set<string>([...Object.values(DLQ_HEADERS), REPLAYED_FROM]);

function toDeadLetter(
  dlqTopic: string,
  partition: number,
  m: { offset: string; key: Buffer | null; value: Buffer | null; headers?: Record<string, unknown> },
): DeadLetter {
  const headers = new Map<string, Buffer>();
  for (const [k, v] of Object.entries(m.headers ?? {}))
    if (Buffer.isBuffer(v) || typeof v === 'string') headers.set(k, Buffer.from(v));
  const text = (name: string) => headers.get(name)?.toString() ?? '';
  let envelope: { eventType?: string; eventId?: string } = {};
  try {
    if (m.value) {
      const e = decodeEnvelope(m.value);
      envelope = { eventType: e.type, eventId: e.eventId };
    }
  } catch {
    // The envelope itself may be why it was dead-lettered.
  }
  return {
    dlqTopic,
    partition,
    offset: m.offset,
    key: m.key,
    value: m.value,
    headers: Object.fromEntries([...headers].filter(([k]) => !ADDED.has(k))),
    originalTopic: text(DLQ_HEADERS.originalTopic) || dlqTopic.replace(/\.dlq$/, ''),
    originalPartition: text(DLQ_HEADERS.originalPartition),
    originalOffset: text(DLQ_HEADERS.originalOffset),
    consumerGroup: text(DLQ_HEADERS.consumerGroup),
    reason: text(DLQ_HEADERS.reason),
    failedAt: text(DLQ_HEADERS.failedAt),
    ...envelope,
    ...(headers.has(REPLAYED_FROM) ? { replayedFrom: text(REPLAYED_FROM) } : {}),
  };
}

/**
 * Every message of the dead-letter topic of `topic` (or of `topic` itself if it ends in `.dlq`),
 * read to the end as it is now, with a throw-away consumer group that commits nothing and is
 * deleted afterwards.
 */
export async function readDeadLetters(kafka: Kafka, topic: string): Promise<DeadLetter[]> {
  const dlqTopic = topic.endsWith('.dlq') ? topic : deadLetterTopic(topic);
  const admin = kafka.admin();
  await admin.connect();
  const groupId = `mealpeak-dlq-reader-${randomUUID()}`;
  try {
    if (!(await admin.listTopics()).includes(dlqTopic))
      throw new Error(`there is no topic ${dlqTopic} on this cluster (check KAFKA_TOPIC_PREFIX)`);
    const ends = await admin.fetchTopicOffsets(dlqTopic);
    const remaining = new Map(
      ends.filter((p) => BigInt(p.high) > BigInt(p.low)).map((p) => [p.partition, BigInt(p.high)]),
    );
    if (remaining.size === 0) return [];
    const found: DeadLetter[] = [];
    const consumer = kafka.consumer({ groupId, allowAutoTopicCreation: false, maxWaitTimeInMs: 500 });
    await consumer.connect();
    try {
      await consumer.subscribe({ topics: [dlqTopic], fromBeginning: true });
      await new Promise<void>((resolve, reject) => {
        consumer.on(consumer.events.CRASH, (e) => reject(e.payload.error));
        void consumer
          .run({
            autoCommit: false,
            eachMessage: async ({ partition, message }) => {
              const end = remaining.get(partition);
              if (end === undefined) return;
              found.push(toDeadLetter(dlqTopic, partition, message));
              if (BigInt(message.offset) + 1n >= end) remaining.delete(partition);
              if (remaining.size === 0) resolve();
            },
          })
          .catch(reject);
      });
    } finally {
      await consumer.disconnect();
    }
    return found.sort((a, b) => a.partition - b.partition || Number(BigInt(a.offset) - BigInt(b.offset)));
  } finally {
    await admin.deleteGroups([groupId]).catch(() => undefined);
    await admin.disconnect();
  }
}

/**
 * Produces each dead letter's original bytes, key and headers to its original topic again, marked
 * `replayed-from: <dlq topic>:<partition>:<offset>`. Every consumer group of that topic sees it;
 * those that handled the event already skip it (inbox), so a replay is safe to repeat.
 */
export async function replayDeadLetters(kafka: Kafka, letters: readonly DeadLetter[]): Promise<number> {
  if (letters.length === 0) return 0;
  const producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
  });
  await producer.connect();
  try {
    for (const l of letters)
      await producer.send({
        topic: l.originalTopic,
        acks: -1,
        messages: [
          {
            key: l.key,
            value: l.value,
            headers: { ...l.headers, [REPLAYED_FROM]: `${l.dlqTopic}:${l.partition}:${l.offset}` },
          },
        ],
      });
    return letters.length;
  } finally {
    await producer.disconnect();
  }
}
