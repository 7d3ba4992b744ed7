import { Kafka, logLevel, type Admin, type ITopicConfig, type ITopicMetadata, type LogEntry } from 'kafkajs';
import type { Logger } from '@mealpeak/telemetry';
import { deadLetterTopic, type TopicSpec } from './event-type.ts';

export type { Kafka } from 'kafkajs';

export interface KafkaSettings {
  brokers: readonly string[];
  clientId: string;
  logger: Logger;
}

const LEVELS: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
};

/** A kafkajs client whose own logs go through pino (with trace ids), at warn and above by default. */
export function createKafka(settings: KafkaSettings): Kafka {
  process.env['KAFKAJS_NO_PARTITIONER_WARNING'] ??= '1';
  const log = settings.logger.child({ component: 'kafkajs' });
  return new Kafka({
    clientId: settings.clientId,
    brokers: [...settings.brokers],
    logLevel: logLevel.WARN,
    retry: { initialRetryTime: 200, retries: 8, maxRetryTime: 5_000 },
    logCreator:
      () =>
      ({ level, log: entry }: LogEntry) => {
        const { message, ...rest } = entry;
        // Our producers bound their retries on purpose (the outbox relay retries the batch) and
        // we promise at-least-once, not exactly-once: kafkajs' warning about it is noise here.
        if (message.startsWith('Limiting retries for the idempotent producer')) return;
        log[LEVELS[level] ?? 'info'](rest, message);
      },
  });
}

/**
 * Runs `create` (which must be safe to repeat) and waits until every partition of `names` has a
 * leader, retrying both with backoff for up to `timeoutMs`: replicas starting together race to
 * create the same topics, and a broker that just created one may briefly answer "does not host
 * this topic-partition", which kafkajs itself does not retry. Returns the topics' metadata.
 */
export async function createTopicsUntilLed(
  admin: Admin,
  names: readonly string[],
  create: () => Promise<unknown>,
  timeoutMs: number,
): Promise<ITopicMetadata[]> {
  const deadline = Date.now() + timeoutMs;
  for (let attempt = 1; ; attempt++) {
    try {
      await create();
      const { topics: meta } = await admin.fetchTopicMetadata({ topics: [...names] });
      const leaderless = meta.filter(
        (t) => t.partitions.length === 0 || t.partitions.some((p) => p.leader < 0),
      );
      if (leaderless.length === 0) return meta;
      throw new Error(`no leader yet for ${leaderless.map((t) => t.name).join(', ')}`);
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, Math.min(2_000, 100 * 2 ** attempt)));
    }
  }
}

/**
 * Creates the topics (and their dead-letter topics) that do not exist yet, with the partition
 * counts of the registry, and waits until every partition has a leader. Existing topics are left
 * alone: partitions are never shrunk here. Replicas starting together race to create the same
 * topics, and a broker that just created one may briefly answer "does not host this
 * topic-partition": both are retried with backoff for up to `timeoutMs`. An existing topic with
 * fewer partitions than the registry's is reported to `logger` (its consumers can use at most that
 * many replicas, whatever the autoscaler allows).
 */
export async function ensureTopics(
  kafka: Kafka,
  topics: readonly TopicSpec[],
  timeoutMs = 60_000,
  logger?: Logger,
): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  const names = topics.flatMap((t) => [t.name, deadLetterTopic(t.name)]);
  try {
    const meta = await createTopicsUntilLed(
      admin,
      names,
      async () => {
        const existing = new Set(await admin.listTopics());
        const wanted: ITopicConfig[] = [];
        for (const t of topics) {
          if (!existing.has(t.name))
            wanted.push({ topic: t.name, numPartitions: t.partitions, replicationFactor: -1 });
          const dlq = deadLetterTopic(t.name);
          if (!existing.has(dlq)) wanted.push({ topic: dlq, numPartitions: 1, replicationFactor: -1 });
        }
        if (wanted.length) await admin.createTopics({ topics: wanted, waitForLeaders: true });
      },
      timeoutMs,
    );
    if (logger) {
      for (const t of topics) {
        const partitions = meta.find((m) => m.name === t.name)?.partitions.length ?? 0;
        if (partitions < t.partitions)
          logger.warn(
            { topic: t.name, partitions, registry: t.partitions },
            'topic has fewer partitions than the registry: its consumer groups can use at most that many replicas',
          );
      }
    }
  } finally {
    await admin.disconnect();
  }
}
