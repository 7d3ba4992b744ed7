import {
  context,
  propagation,
  trace,
  type Context,
  type TextMapGetter,
  type TextMapSetter,
} from '@opentelemetry/api';

/**
 * W3C trace-context helpers for the transports we own (gRPC metadata, Kafka headers). HTTP is
 * covered by @fastify/otel, which extracts the same headers.
 */
export type Carrier = Record<string, string | string[] | Buffer | undefined>;

const getter: TextMapGetter<Carrier> = {
  keys: (carrier) => Object.keys(carrier),
  get: (carrier, key) => {
    const value = carrier[key];
    if (value === undefined) return undefined;
    if (Array.isArray(value)) return value.map(String);
    return Buffer.isBuffer(value) ? value.toString('utf8') : value;
  },
};

const setter: TextMapSetter<Record<string, string>> = {
  set: (carrier, key, value) => {
    carrier[key] = value;
  },
};

/** The current trace context as headers (traceparent, tracestate, baggage). */
export function injectTraceHeaders(ctx: Context = context.active()): Record<string, string> {
  const headers: Record<string, string> = {};
  propagation.inject(ctx, headers, setter);
  return headers;
}

export function extractTraceContext(carrier: Carrier, base: Context = context.active()): Context {
  return propagation.extract(base, carrier, getter);
}

/** trace_id / span_id of the active span, for log lines and error bodies. */
export function activeTraceIds(): { trace_id: string; span_id: string } | undefined {
  const span = trace.getActiveSpan();
  if (!span) return undefined;
  const { traceId, spanId, traceFlags } = span.spanContext();
  // An invalid (all-zero) context means no real trace: leave the ids out.
  if (!trace.isSpanContextValid({ traceId, spanId, traceFlags })) return undefined;
  return { trace_id: traceId, span_id: spanId };
}
