import type { BinaryReader, BinaryWriter } from '@bufbuild/protobuf/wire';

/** The codec ts-proto generates for every message. */
export interface Codec<T> {
  encode(message: T, writer?: BinaryWriter): BinaryWriter;
  decode(input: BinaryReader | Uint8Array, length?: number): T;
}

/**
 * One kind of event: its fully qualified proto name (what the envelope's `type` says), the schema
 * version, and the codec of its payload. Adding a field keeps the version; a breaking change is a
 * new message (and a new name) in a new proto package version.
 */
export interface EventType<T> {
  readonly name: string;
  readonly version: number;
  readonly codec: Codec<T>;
}

export const defineEvent = <T>(name: string, version: number, codec: Codec<T>): EventType<T> => ({
  name,
  version,
  codec,
});

export interface TopicSpec {
  readonly name: string;
  /** At least the highest replica count of any consumer group reading it (see docs/kafka.md). */
  readonly partitions: number;
  /** What the message key is; it decides per-key ordering. */
  readonly key: string;
  readonly events: readonly EventType<unknown>[];
  readonly producers: readonly string[];
  readonly consumers: readonly string[];
}

/** Poison messages of a topic go to `<topic>.dlq`, keyed as the original. */
export const deadLetterTopic = (topic: string): string => `${topic}.dlq`;
