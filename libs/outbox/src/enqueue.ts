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
  /** The service's schema (the relay's advisory-lock space). */
  schema: string;
  /** Relay partitions; must be the same for every replica of the service. */
  partitions: number;
}

/** An INSERT of outbox rows, to run on its own or as a data-modifying CTE of a larger statement. */
export interface OutboxInsert {
  /** `INSERT INTO outbox (...) SELECT ... FROM (VALUES ...) v WHERE <condition>` */
  readonly sql: string;
  readonly params: unknown[];
  readonly eventIds: string[];
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
  /**
   * The same rows as an INSERT statement whose parameters start at `$firstParam`, inserted only
   * when `condition` (SQL) holds: lets a hot path write its change and its events in ONE statement
   * (one round trip, atomic without an explicit transaction).
   */
  insertStatement(
    topic: TopicSpec | string,
    events: readonly OutboxEvent<unknown>[],
    firstParam: number,
    condition?: string,
  ): OutboxInsert;
}

const COLUMNS =
  'partition, topic, key, event_id, event_type, schema_version, payload, traceparent, tracestate, occurred_at';
const CASTS = ['smallint', 'text', 'text', 'uuid', 'text', 'integer', 'bytea', 'text', 'text', 'timestamptz'];

export function createOutbox(settings: OutboxSettings): Outbox {
  const insertStatement: Outbox['insertStatement'] = (topicSpec, events, firstParam, condition = 'true') => {
    const topic = typeof topicSpec === 'string' ? topicSpec : topicSpec.name;
    const trace = injectTraceHeaders();
    const params: unknown[] = [];
    const eventIds: string[] = [];
    const values = events.map((e) => {
      const eventId = newEventId();
      eventIds.push(eventId);
      const base = firstParam + params.length;
      params.push(
        partitionOf(e.key, settings.partitions),
        topic,
        e.key,
        eventId,
        e.type.name,
        e.type.version,
        Buffer.from(e.type.codec.encode(e.payload).finish()),
        trace['traceparent'] ?? '',
        trace['tracestate'] ?? '',
        e.occurredAt,
      );
      // Casts, because VALUES in a sub-select does not take its types from the target columns.
      return `(${CASTS.map((cast, i) => `$${base + i}::${cast}`).join(', ')})`;
    });
    return {
      sql: `INSERT INTO outbox (${COLUMNS}) SELECT * FROM (VALUES ${values.join(', ')}) AS v(${COLUMNS}) WHERE ${condition}`,
      params,
      eventIds,
    };
  };
  return {
    settings,
    insertStatement,
    async enqueue(tx, topicSpec, events) {
      if (events.length === 0) return [];
      const insert = insertStatement(topicSpec, events, 1);
      await tx.query(insert.sql, insert.params);
      return insert.eventIds;
    },
  };
}
