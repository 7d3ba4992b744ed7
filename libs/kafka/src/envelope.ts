import { v7 as uuidv7 } from 'uuid';
import { Envelope } from '@mealpeak/contracts/events.v1';
import { injectTraceHeaders } from '@mealpeak/telemetry';
import type { EventType } from './event-type.ts';

export { Envelope };

export interface OutgoingEvent<T> {
  type: EventType<T>;
  payload: T;
  /** Partition key: the aggregate id (order id, merchant id). */
  key: string;
  /** Stable id; the outbox supplies the one it stored so a re-publish keeps it. */
  eventId?: string;
  occurredAt?: Date;
  /** W3C context captured where the change happened (the outbox stores it); default: active context. */
  traceparent?: string;
  tracestate?: string;
}

export function buildEnvelope<T>(event: OutgoingEvent<T>, producer: string): Envelope {
  const trace = event.traceparent
    ? { traceparent: event.traceparent, tracestate: event.tracestate ?? '' }
    : injectTraceHeaders();
  return {
    eventId: event.eventId ?? uuidv7(),
    type: event.type.name,
    schemaVersion: event.type.version,
    occurredAt: event.occurredAt ?? new Date(),
    traceparent: trace.traceparent ?? '',
    tracestate: trace.tracestate ?? '',
    key: event.key,
    producer,
    payload: Buffer.from(event.type.codec.encode(event.payload).finish()),
  };
}

export const encodeEnvelope = (envelope: Envelope): Buffer => Buffer.from(Envelope.encode(envelope).finish());
export const decodeEnvelope = (bytes: Buffer): Envelope => Envelope.decode(bytes);

export const newEventId = (): string => uuidv7();
