import { createKafka, ensureTopics, type KafkaSettings } from './client.ts';
import { createConsumer } from './consumer.ts';
import type { TopicSpec } from './event-type.ts';
import type { ConsumerSettings, EventConsumer } from './message-processor.ts';
import { createProducer, type EventProducer } from './producer.ts';

/**
 * What a service needs from its event log: topics, producers, consumers. Kafka in every real
 * deployment; the in-memory bus (createMemoryBus) only in the zero-setup local run.
 */
export interface EventBus {
  readonly kind: 'kafka' | 'memory';
  /** Creates the topics (and their dead-letter topics) that do not exist yet. */
  ensureTopics(topics: readonly TopicSpec[]): Promise<void>;
  producer(name: string): EventProducer;
  consumer(settings: ConsumerSettings): EventConsumer;
}

export function createKafkaBus(settings: KafkaSettings): EventBus {
  const kafka = createKafka(settings);
  return {
    kind: 'kafka',
    ensureTopics: (topics) => ensureTopics(kafka, topics, undefined, settings.logger),
    producer: (name) => createProducer(kafka, name),
    consumer: (s) => createConsumer(kafka, s),
  };
}
