export { Attr, Metric } from './attributes.ts';
export { injectTraceHeaders, extractTraceContext, activeTraceIds, type Carrier } from './context.ts';
export { createLogger, type Logger, type LoggerSettings } from './logger.ts';
export { startTelemetry, shutdownTelemetry, serveMetrics } from './sdk.ts';
export {
  trace,
  context,
  metrics,
  SpanKind,
  SpanStatusCode,
  ROOT_CONTEXT,
  type Span,
  type SpanContext,
  type Context,
  type ObservableResult,
} from '@opentelemetry/api';
export { sampled } from './sampled.ts';
