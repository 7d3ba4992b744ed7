import type { Queryable } from '@mealpeak/db';
import { newEventId, type EventType, type TopicSpec } from '@mealpeak/kafka';
import { injectTraceHeaders } from '@mealpeak/telemetry';
import { partitionOf } from './partition.ts';

export interface OutboxEvent<T> {
  type: EventType<T>;
  payload: T;
  /** Aggregate id: Kafka key and the unit of ordering. */
  key: string;
  occurredAt: Date;
}

export interface OutboxSettings {
  /** The service's schema (also names the LISTEN channel that wakes the relay). */
  schema: string;
  /** Relay partitions; must be the same for every replica of the service. */
  partitions: number;
}

export interface Outbox {
  readonly settings: OutboxSettings;
  /**
   * Writes events in the caller's transaction: they are published if and only if it commits.
   * Returns the event ids. The trace context of the caller is stored with each event.
   */
  enqueue(
    tx: Queryable,
    topic: TopicSpec | string,
    events: readonly OutboxEvent<unknown>[],
  ): Promise<string[]>;
}

export const notifyChannel = (schema: string): string => `outbox_${schema}`;

export function createOutbox(settings: OutboxSettings): Outbox {
  return {
    settings,
    async enqueue(tx, topicSpec, events) {
      if (events.length === 0) return [];
      const topic = typeof topicSpec === 'string' ? topicSpec : topicSpec.name;
      const trace = injectTraceHeaders();
      const rows = events.map((e) => ({
        ...e,
        partition: partitionOf(e.key, settings.partitions),
        eventId: newEventId(),
        bytes: Buffer.from(e.type.codec.encode(e.payload).finish()),
      }));
      const params: unknown[] = [];
      const values = rows.map((r) => {
        const base = params.length;
        params.push(
          r.partition,
          topic,
          r.key,
          r.eventId,
          r.type.name,
          r.type.version,
          r.bytes,
          trace['traceparent'] ?? '',
          trace['tracestate'] ?? '',
          r.occurredAt,
        );
        return `(${Array.from({ length: 10 }, (_, i) => `$${base + i + 1}`).join(', ')})`;
      });
      await tx.query(
        `INSERT INTO outbox (partition, topic, key, event_id, event_type, schema_version, payload,
                             traceparent, tracestate, occurred_at)
         VALUES ${values.join(', ')}`,
        params,
      );
      // Delivered at commit (and dropped on rollback): wakes the relay without polling delay.
      await tx.query('SELECT pg_notify($1, NULL)', [notifyChannel(settings.schema)]);
      return rows.map((r) => r.eventId);
    },
  };
}
