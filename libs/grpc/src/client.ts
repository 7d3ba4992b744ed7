import {
  credentials,
  InterceptingCall,
  Metadata,
  type CallOptions,
  type ChannelOptions,
  type Client,
  type ClientUnaryCall,
  type Interceptor,
  type ServiceDefinition,
  type ServiceError,
} from '@grpc/grpc-js';
import { context, metrics, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { err, ok, type CodedError, type Result } from '@mealpeak/core';
import { Attr, Metric, injectTraceHeaders } from '@mealpeak/telemetry';
import { fromServiceError, isFailureStatus } from './errors.ts';
import { CLIENT_OPTIONS, DEADLINE_KEY, INTERNAL_TOKEN_KEY, OUTLIER_DETECTION } from './options.ts';

export interface RetryPolicy {
  maxAttempts: number;
  initialBackoffMs: number;
  maxBackoffMs: number;
  backoffMultiplier: number;
}

export const DEFAULT_RETRY: RetryPolicy = {
  maxAttempts: 4,
  initialBackoffMs: 50,
  maxBackoffMs: 1_000,
  backoffMultiplier: 2,
};

export interface ClientSettings<D extends ServiceDefinition> {
  /** host:port, or dns:///name:port to balance round-robin over every address the name resolves to. */
  target: string;
  /** Deadline applied to any call that sets none. Every call has a deadline. */
  defaultDeadlineMs: number;
  /** Methods safe to repeat (reads, and writes idempotent by a caller-chosen id). Only these retry. */
  idempotent: readonly (keyof D & string)[];
  retry?: RetryPolicy;
  channelOptions?: ChannelOptions;
  /** Sent with every call in INTERNAL_TOKEN_KEY metadata (GRPC_INTERNAL_TOKEN); unset: nothing sent. */
  internalToken?: string | undefined;
}

const meter = metrics.getMeter('@mealpeak/grpc');
const clientDuration = meter.createHistogram(Metric.RPC_CLIENT_DURATION, {
  unit: 's',
  description: 'Duration of gRPC client calls',
});
const tracer = trace.getTracer('@mealpeak/grpc');

const duration = (ms: number) => ({ seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1_000_000 });

/** The load-balancing part of the service config: see OUTLIER_DETECTION for the numbers. */
export function loadBalancingConfig(): object[] {
  const od = OUTLIER_DETECTION;
  return [
    {
      // grpc-js wants its Duration objects here, not the "1s" strings of the JSON mapping: a
      // config it cannot parse is skipped without a word (the unit test parses this one).
      outlier_detection: {
        interval: duration(od.intervalMs),
        base_ejection_time: duration(od.baseEjectionTimeMs),
        max_ejection_time: duration(od.maxEjectionTimeMs),
        max_ejection_percent: od.maxEjectionPercent,
        failure_percentage_ejection: {
          threshold: od.failurePercentage.threshold,
          enforcement_percentage: 100,
          minimum_hosts: od.failurePercentage.minimumHosts,
          request_volume: od.failurePercentage.requestVolume,
        },
        child_policy: [{ round_robin: {} }],
      },
    },
    // grpc-js uses the first entry it knows. Without this one, a process started with
    // GRPC_EXPERIMENTAL_ENABLE_OUTLIER_DETECTION=false would fall back to pick_first (one replica).
    { round_robin: {} },
  ];
}

export function serviceConfig(serviceName: string, methods: readonly string[], retry: RetryPolicy): string {
  const methodConfig: unknown[] = [];
  if (methods.length > 0) {
    methodConfig.push({
      name: methods.map((m) => ({ service: serviceName, method: m })),
      retryPolicy: {
        maxAttempts: retry.maxAttempts,
        initialBackoff: `${retry.initialBackoffMs / 1000}s`,
        maxBackoff: `${retry.maxBackoffMs / 1000}s`,
        backoffMultiplier: retry.backoffMultiplier,
        // Only "the server never got it / is restarting": never retry a call that may have run.
        retryableStatusCodes: ['UNAVAILABLE'],
      },
    });
  }
  return JSON.stringify({ loadBalancingConfig: loadBalancingConfig(), methodConfig });
}

/** Every call gets a deadline, a client span, W3C context in its metadata, and a duration metric. */
function observingInterceptor(
  serviceName: string,
  defaultDeadlineMs: number,
  internalToken: string | undefined,
): Interceptor {
  return (options, nextCall) => {
    const method = options.method_definition.path.split('/')[2] ?? 'unknown';
    const deadline = options.deadline ?? new Date(Date.now() + defaultDeadlineMs);
    const span = tracer.startSpan(`${serviceName}/${method}`, {
      kind: SpanKind.CLIENT,
      attributes: { [Attr.RPC_SYSTEM]: 'grpc', [Attr.RPC_SERVICE]: serviceName, [Attr.RPC_METHOD]: method },
    });
    const started = performance.now();
    return new InterceptingCall(nextCall({ ...options, deadline }), {
      start(metadata, _listener, next) {
        for (const [k, v] of Object.entries(injectTraceHeaders(trace.setSpan(context.active(), span)))) {
          metadata.set(k, v);
        }
        if (internalToken) metadata.set(INTERNAL_TOKEN_KEY, internalToken);
        const at = deadline instanceof Date ? deadline.getTime() : deadline;
        if (Number.isFinite(at)) metadata.set(DEADLINE_KEY, String(at));
        // Only onReceiveStatus is ours; grpc-js passes the other events through to `listener`.
        next(metadata, {
          onReceiveStatus(st, nextStatus) {
            span.setAttribute(Attr.RPC_GRPC_STATUS_CODE, st.code);
            // A business answer (NOT_FOUND, FAILED_PRECONDITION...) is not a failed span.
            if (isFailureStatus(st.code)) span.setStatus({ code: SpanStatusCode.ERROR, message: st.details });
            span.end();
            clientDuration.record((performance.now() - started) / 1000, {
              [Attr.RPC_SERVICE]: serviceName,
              [Attr.RPC_METHOD]: method,
              [Attr.RPC_GRPC_STATUS_CODE]: st.code,
            });
            nextStatus(st);
          },
        });
      },
    });
  };
}

type ClientCtor<C> = new (
  address: string,
  creds: ReturnType<typeof credentials.createInsecure>,
  options?: ChannelOptions & { interceptors?: Interceptor[] },
) => C;

export function createGrpcClient<C extends Client, D extends ServiceDefinition>(
  Ctor: ClientCtor<C>,
  definition: D,
  settings: ClientSettings<D>,
): C {
  const first = Object.values(definition)[0];
  const serviceName = first?.path.split('/')[1] ?? 'unknown';
  const methods = settings.idempotent.map((key) => definition[key]?.path.split('/')[2] ?? key);
  return new Ctor(settings.target, credentials.createInsecure(), {
    ...CLIENT_OPTIONS,
    'grpc.service_config': serviceConfig(serviceName, methods, settings.retry ?? DEFAULT_RETRY),
    ...settings.channelOptions,
    interceptors: [observingInterceptor(serviceName, settings.defaultDeadlineMs, settings.internalToken)],
  });
}

type UnaryMethod<Req, Res> = (
  request: Req,
  metadata: Metadata,
  options: Partial<CallOptions>,
  callback: (error: ServiceError | null, response: Res) => void,
) => ClientUnaryCall;

export interface CallSettings {
  /** Overrides the client's default deadline; also capped by `parentDeadline`. */
  deadlineMs?: number;
  /** Deadline of the call being served, so a downstream call never outlives its caller. */
  parentDeadline?: Date | undefined;
  metadata?: Metadata;
}

/** Promise + Result face of a generated unary method: `await call(client.getOrder.bind(client), req)`. */
export function call<Req, Res>(
  method: UnaryMethod<Req, Res>,
  request: Req,
  settings: CallSettings = {},
): Promise<Result<Res, CodedError>> {
  const options: Partial<CallOptions> = {};
  if (settings.deadlineMs !== undefined || settings.parentDeadline) {
    const own = settings.deadlineMs !== undefined ? Date.now() + settings.deadlineMs : Infinity;
    const parent = settings.parentDeadline?.getTime() ?? Infinity;
    options.deadline = new Date(Math.min(own, parent));
  }
  return new Promise((resolve) => {
    method(request, settings.metadata ?? new Metadata(), options, (error, response) => {
      resolve(error ? err(fromServiceError(error)) : ok(response));
    });
  });
}
