import type { Consumer, Kafka, KafkaMessage } from 'kafkajs';
import { deadLetterTopic } from './event-type.ts';
import {
  createMessageProcessor,
  deadLetterHeaders,
  type ConsumerSettings,
  type EventConsumer,
  type RawMessage,
} from './message-processor.ts';

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
    // Long-poll wait of an idle fetch; also bounds how long stop() waits for it.
    maxWaitTimeInMs: 1_000,
    allowAutoTopicCreation: false,
  });
  const joined = new Promise<void>((resolve) => {
    consumer.on(consumer.events.GROUP_JOIN, () => resolve());
  });

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
          eachBatch: async (payload) => {
            const { batch } = payload;
            await processor.batch(
              batch.messages.map((m) => toRaw(batch.topic, batch.partition, m)),
              () => payload.heartbeat(),
              async (offset) => {
                payload.resolveOffset(offset);
                await payload.commitOffsetsIfNecessary();
              },
              () => payload.isRunning() && !payload.isStale(),
            );
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
