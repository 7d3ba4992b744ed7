export { defineEvent, deadLetterTopic, type EventType, type TopicSpec, type Codec } from './event-type.ts';
export {
  buildEnvelope,
  encodeEnvelope,
  decodeEnvelope,
  newEventId,
  Envelope,
  type OutgoingEvent,
} from './envelope.ts';
export { createKafka, createTopicsUntilLed, ensureTopics, type Kafka, type KafkaSettings } from './client.ts';
export { createProducer, type EventProducer } from './producer.ts';
export {
  createConsumer,
  on,
  PoisonMessageError,
  type ConsumedEvent,
  type EventConsumer,
  type EventHandler,
  type ConsumerSettings,
  type HandlerBinding,
} from './consumer.ts';
export { createRedisDedupe, createMemoryDedupe, type DedupeStore } from './dedupe.ts';
export { TOPICS, EVENTS, ALL_TOPICS, prefixTopics, type Topics } from './registry.ts';
export { createKafkaBus, type EventBus } from './event-bus.ts';
export { createMemoryBus } from './memory-bus.ts';
export { createMessageProcessor, type RawMessage } from './message-processor.ts';
export { readDeadLetters, replayDeadLetters, type DeadLetter } from './dead-letters.ts';
