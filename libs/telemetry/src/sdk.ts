import { NodeSDK } from '@opentelemetry/sdk-node';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { AggregationType, InstrumentType } from '@opentelemetry/sdk-metrics';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import {
  BatchSpanProcessor,
  ParentBasedSampler,
  TraceIdRatioBasedSampler,
  type Sampler,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace';
import type { Instrumentation } from '@opentelemetry/instrumentation';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { IORedisInstrumentation } from '@opentelemetry/instrumentation-ioredis';
import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * Process-wide telemetry state. Kept on globalThis because the register module (loaded with
 * `node --import`) and the application may hold different module instances in some loaders.
 */
interface TelemetryState {
  sdk: NodeSDK;
  prometheus: PrometheusExporter;
}
const STATE = Symbol.for('mealpeak.telemetry');
type WithState = typeof globalThis & { [STATE]?: TelemetryState };

/** Latency buckets from 1 ms to 30 s: fine where p99 targets live (10-500 ms), coarse beyond. */
export const SECONDS_BUCKETS = [
  0.001, 0.0025, 0.005, 0.01, 0.02, 0.035, 0.05, 0.075, 0.1, 0.15, 0.25, 0.5, 1, 2.5, 5, 10, 30,
];

export interface TelemetrySettings {
  serviceName: string;
  /** OTLP/HTTP endpoint for traces; traces are only exported when set (OTEL_EXPORTER_OTLP_ENDPOINT). */
  otlpEndpoint?: string | undefined;
  /**
   * Share of new traces recorded (OTEL_TRACES_SAMPLER_ARG, default 0.1); downstream services follow
   * the caller's decision. Unrecorded spans still carry trace ids, so every log line keeps its
   * trace_id, but cost almost nothing at peak.
   */
  sampleRatio?: number;
  /**
   * OTEL_TRACES_SAMPLER, when set: the SDK builds the sampler from it (and OTEL_TRACES_SAMPLER_ARG)
   * as the OpenTelemetry spec says, instead of ours (parentbased_traceidratio at sampleRatio).
   */
  samplerFromEnvironment?: boolean;
}

/** The samplers of the OpenTelemetry spec the Node SDK builds from OTEL_TRACES_SAMPLER. */
export const SPEC_SAMPLERS = [
  'always_on',
  'always_off',
  'traceidratio',
  'parentbased_always_on',
  'parentbased_always_off',
  'parentbased_traceidratio',
] as const;

export const DEFAULT_SAMPLE_RATIO = 0.1;

/**
 * OTEL_TRACES_SAMPLER and OTEL_TRACES_SAMPLER_ARG read as start-up config: an unknown sampler is an
 * error (the SDK would log it where nobody looks and record every trace), and a ratio sampler
 * without a ratio gets ours rather than the SDK's 1.0. `samplerArg` is what the SDK must read.
 */
export function tracesSamplerFromEnv(
  env: Readonly<Record<string, string | undefined>>,
):
  | { ok: true; samplerFromEnvironment: boolean; samplerArg: string | undefined }
  | { ok: false; message: string } {
  const name = env['OTEL_TRACES_SAMPLER']?.trim();
  const arg = env['OTEL_TRACES_SAMPLER_ARG'];
  if (name === undefined || name === '') return { ok: true, samplerFromEnvironment: false, samplerArg: arg };
  if (!(SPEC_SAMPLERS as readonly string[]).includes(name))
    return {
      ok: false,
      message: `OTEL_TRACES_SAMPLER must be one of ${SPEC_SAMPLERS.join(', ')} (got ${JSON.stringify(name)})`,
    };
  const ratioSampler = name.endsWith('traceidratio');
  const samplerArg = ratioSampler && (arg === undefined || arg === '') ? String(DEFAULT_SAMPLE_RATIO) : arg;
  return { ok: true, samplerFromEnvironment: true, samplerArg };
}

/** Our sampler, or undefined to leave it to the SDK's reading of OTEL_TRACES_SAMPLER. */
export function samplerOf(settings: TelemetrySettings): Sampler | undefined {
  if (settings.samplerFromEnvironment) return undefined;
  return new ParentBasedSampler({
    root: new TraceIdRatioBasedSampler(settings.sampleRatio ?? DEFAULT_SAMPLE_RATIO),
  });
}

/**
 * PostgreSQL and Redis client spans, under a span of ours only. A Redis span says the command and
 * nothing of its arguments: keys and values hold rider ids and positions, and the rate limiter's
 * keys client addresses, none of which belongs in a trace backend.
 */
export function instrumentations(): Instrumentation[] {
  return [
    new PgInstrumentation({ requireParentSpan: true }),
    new IORedisInstrumentation({ requireParentSpan: true, dbStatementSerializer: (command) => command }),
  ];
}

export function startTelemetry(settings: TelemetrySettings): void {
  const g = globalThis as WithState;
  if (g[STATE]) return;
  // Served by the service's own ops port (/metrics) rather than a second listener.
  const prometheus = new PrometheusExporter({ preventServerStart: true });
  const spanProcessors: SpanProcessor[] = settings.otlpEndpoint
    ? [
        new BatchSpanProcessor({
          exporter: new OTLPTraceExporter({ url: `${settings.otlpEndpoint.replace(/\/$/, '')}/v1/traces` }),
        }),
      ]
    : [];
  const sampler = samplerOf(settings);
  const sdk = new NodeSDK({
    serviceName: settings.serviceName,
    ...(sampler ? { sampler } : {}),
    metricReaders: [prometheus],
    // Every duration is recorded in seconds; the SDK's default buckets are sized for milliseconds
    // (0, 5, 10, ... 10000), which would put nearly every request in the first bucket.
    views: [
      {
        instrumentType: InstrumentType.HISTOGRAM,
        instrumentUnit: 's',
        aggregation: {
          type: AggregationType.EXPLICIT_BUCKET_HISTOGRAM,
          options: { boundaries: SECONDS_BUCKETS },
        },
      },
    ],
    spanProcessors,
    instrumentations: instrumentations(),
  });
  sdk.start();
  g[STATE] = { sdk, prometheus };
}

export async function shutdownTelemetry(): Promise<void> {
  const g = globalThis as WithState;
  const state = g[STATE];
  if (!state) return;
  delete g[STATE];
  await state.sdk.shutdown();
}

/** Writes the Prometheus exposition of every metric the process recorded. */
export function serveMetrics(req: IncomingMessage, res: ServerResponse): void {
  const state = (globalThis as WithState)[STATE];
  if (!state) {
    res.statusCode = 503;
    res.end('# telemetry not started: run the service with --import @mealpeak/telemetry/register\n');
    return;
  }
  state.prometheus.getMetricsRequestHandler(req, res);
}
