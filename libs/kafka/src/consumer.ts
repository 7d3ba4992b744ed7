import type { Consumer, Kafka, KafkaMessage } from 'kafkajs';
import { deadLetterTopic } from './event-type.ts';
import {
  createMessageProcessor,
  deadLetterHeaders,
  type ConsumerSettings,
  type EventConsumer,
  type RawMessage,
} from './message-processor.ts';

const FETCH_BYTES_PER_PARTITION = 64 * 1024;
/** The most partitions of one topic (the order and dispatch topics have 24: docs/kafka.md). */
export const MAX_PARTITIONS_PER_TOPIC = 24;

export {
  on,
  PoisonMessageError,
  type ConsumedEvent,
  type ConsumerSettings,
  type EventConsumer,
  type EventHandler,
  type HandlerBinding,
} from './message-processor.ts';

const toRaw = (topic: string, partition: number, m: KafkaMessage): RawMessage => ({
  topic,
  partition,
  offset: m.offset,
  key: m.key,
  value: m.value,
  headers: Object.fromEntries(
    Object.entries(m.headers ?? {}).map(([k, v]) => [k, Array.isArray(v) ? v[0] : v]),
  ),
  timestamp: m.timestamp,
});

/**
 * Errors of a heartbeat or commit that mean this member must rejoin its group: a rebalance began
 * (another member joined or left), the generation moved on, or the coordinator forgot or moved.
 * kafkajs's own isRebalancing is not exported; these are its cases plus UNKNOWN_MEMBER_ID, on
 * which the runner rejoins too.
 */
const REJOIN_ERRORS = new Set([
  'REBALANCE_IN_PROGRESS',
  'ILLEGAL_GENERATION',
  'NOT_COORDINATOR_FOR_GROUP',
  'UNKNOWN_MEMBER_ID',
]);
const meansRejoin = (error: unknown): error is Error =>
  error instanceof Error && REJOIN_ERRORS.has(String((error as { type?: unknown }).type));

/**
 * At-least-once Kafka consumer: an offset is resolved only after its message was handled (or
 * dead-lettered), so a crash replays from the last committed offset and never skips one.
 */
export function createConsumer(kafka: Kafka, settings: ConsumerSettings): EventConsumer {
  const log = settings.logger.child({ component: 'consumer', group: settings.groupId });
  const consumer: Consumer = kafka.consumer({
    groupId: settings.groupId,
    // A replica killed without leaving the group holds its partitions until this expires.
    sessionTimeout: 10_000,
    heartbeatInterval: 2_000,
    // How long the broker waits for every member to rejoin once a rebalance starts; a member that
    // has not rejoined by then is dropped from the group (its work is done twice). We rejoin
    // within a heartbeat interval plus the step in hand (one event, or one batch-handler run),
    // so 30 s is ample; kafkajs's 60 s default would let a stuck member stall the group longer.
    rebalanceTimeout: 30_000,
    // Small fetches: handlers take milliseconds per event (a transaction each), and everything
    // fetched is handled before the next fetch. With kafkajs's 1 MiB per partition and 10 MiB per
    // fetch, one fetch of a backlog held ~9,000 events (90 s at 10 ms). 64 KiB is a few hundred
    // events per partition; a record batch larger than the limit is still returned whole.
    // The per-fetch limit must leave room for every partition a member can hold on one broker:
    // kafkajs lists partitions in a fixed order and the broker fills the response in that order,
    // so a smaller total starves the partitions listed last for as long as the first ones have a
    // backlog. MAX_PARTITIONS_PER_TOPIC × 64 KiB: each partition gets its share in every fetch
    // (and a fetch is bounded by the rebalance handling below, not by its size).
    maxBytesPerPartition: FETCH_BYTES_PER_PARTITION,
    maxBytes: FETCH_BYTES_PER_PARTITION * MAX_PARTITIONS_PER_TOPIC,
    // Long-poll wait of an idle fetch; also bounds how long stop() waits for it.
    maxWaitTimeInMs: 1_000,
    allowAutoTopicCreation: false,
  });
  // Set when a heartbeat or commit said the group is rebalancing; cleared when kafkajs has
  // rejoined. While set, the batches still queued from the last fetch stop at once.
  let mustRejoin: Error | undefined;
  const joined = new Promise<void>((resolve) => {
    consumer.on(consumer.events.GROUP_JOIN, () => {
      mustRejoin = undefined;
      resolve();
    });
  });
  /** Runs a heartbeat or a commit, remembering a rebalance it reports. */
  const noticingRebalance = async (step: () => Promise<void>): Promise<void> => {
    try {
      await step();
    } catch (error) {
      if (meansRejoin(error)) mustRejoin ??= error;
      throw error;
    }
  };

  // Dead letters keep the original bytes (the envelope may be what is broken), so they bypass the
  // envelope-building EventProducer.
  const dlqProducer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
  });
  let dlqConnected = false;
  const processor = createMessageProcessor(settings, async (message, reason) => {
    if (!dlqConnected) {
      await dlqProducer.connect();
      dlqConnected = true;
    }
    await dlqProducer.send({
      topic: deadLetterTopic(message.topic),
      acks: -1,
      messages: [
        {
          key: message.key,
          value: message.value,
          headers: deadLetterHeaders(message, settings.groupId, reason),
        },
      ],
    });
  });

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
          // kafkajs acts on a rebalance only once every batch of a fetch has been handled, and
          // the broker drops a member that does not rejoin within rebalanceTimeout. So: a
          // heartbeat after every handled step (kafkajs sends one per heartbeatInterval at most),
          // and once one reports a rebalance, this batch and the fetch's remaining ones stop
          // without resolving anything new and rethrow, so the runner commits and rejoins.
          eachBatch: async (payload) => {
            const { batch } = payload;
            const heartbeat = () => noticingRebalance(() => payload.heartbeat());
            if (mustRejoin === undefined)
              await processor.batch(
                batch.messages.map((m) => toRaw(batch.topic, batch.partition, m)),
                heartbeat,
                async (offset) => {
                  payload.resolveOffset(offset);
                  await noticingRebalance(() => payload.commitOffsetsIfNecessary());
                  await heartbeat();
                },
                () => mustRejoin === undefined && payload.isRunning() && !payload.isStale(),
              );
            if (mustRejoin !== undefined) throw mustRejoin;
            await heartbeat();
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
