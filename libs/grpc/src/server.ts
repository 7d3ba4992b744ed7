import {
  Server,
  ServerCredentials,
  status,
  type Metadata,
  type ServerUnaryCall,
  type ServiceDefinition,
  type UntypedServiceImplementation,
  type sendUnaryData,
} from '@grpc/grpc-js';
import { HealthImplementation } from 'grpc-health-check';
import { context, metrics, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { timingSafeEqual } from 'node:crypto';
import { codedError, type CodedError, type Result } from '@mealpeak/core';
import { Attr, Metric, extractTraceContext, type Logger } from '@mealpeak/telemetry';
import { classifyThrown, isFailureStatus, THROWN, toStatus } from './errors.ts';
import { DEADLINE_KEY, INTERNAL_TOKEN_KEY, SERVER_OPTIONS } from './options.ts';

export interface CallContext {
  readonly metadata: Metadata;
  /** Absolute deadline the client set, if any; handlers pass it on to their own downstream calls. */
  readonly deadline: Date | undefined;
  /** Aborted when the client cancels or the deadline passes. */
  readonly signal: AbortSignal;
}

export type UnaryHandler<Req, Res> = (request: Req, call: CallContext) => Promise<Result<Res, CodedError>>;

/** A service implementation in our style: async handlers returning Result values. */
export type UnaryImplementation<D extends ServiceDefinition> = {
  [K in keyof D]: D[K] extends {
    requestDeserialize: (b: Buffer) => infer Req;
    responseSerialize: (r: infer Res) => Buffer;
  }
    ? UnaryHandler<Req, Res>
    : never;
};

export interface GrpcServerSettings {
  logger: Logger;
  host?: string;
  port: number;
  /**
   * Shared secret every call must carry in INTERNAL_TOKEN_KEY metadata (GRPC_INTERNAL_TOKEN):
   * only the platform's own services may call. Unset: no check (local runs, tests). The health
   * service is exempt (probes).
   */
  internalToken?: string;
  /**
   * Also accepted while a rotation rolls out (GRPC_INTERNAL_TOKEN_PREVIOUS): replicas already on
   * the new token and those still on the old one keep answering each other.
   */
  previousInternalToken?: string;
}

export interface GrpcServer {
  readonly port: number;
  add<D extends ServiceDefinition>(definition: D, implementation: UnaryImplementation<D>): void;
  /** Marks every service SERVING on the standard health service. */
  start(): Promise<void>;
  /** NOT_SERVING on the health service while calls are still answered (the shutdown's drain). */
  stopServing(): void;
  /** SERVING again on the health service (after stopServing). */
  startServing(): void;
  /** Health NOT_SERVING, stop accepting calls, let in-flight calls finish (up to timeoutMs), then close. */
  shutdown(timeoutMs: number): Promise<void>;
}

const meter = metrics.getMeter('@mealpeak/grpc');
const serverDuration = meter.createHistogram(Metric.RPC_SERVER_DURATION, {
  unit: 's',
  description: 'Duration of gRPC server calls',
});
const tracer = trace.getTracer('@mealpeak/grpc');

function serviceNameOf(definition: ServiceDefinition): string {
  const first = Object.values(definition)[0];
  return first ? (first.path.split('/')[1] ?? 'unknown') : 'unknown';
}

/** Whether a call carries one of the accepted internal tokens (constant time); true when none is set. */
function carriesToken(metadata: Metadata, accepted: readonly Buffer[]): boolean {
  if (accepted.length === 0) return true;
  const given = metadata.get(INTERNAL_TOKEN_KEY)[0];
  const bytes = Buffer.from(typeof given === 'string' ? given : '');
  return accepted.some((t) => bytes.length === t.length && timingSafeEqual(bytes, t));
}

/**
 * The order a call is about, when its request names one (`order_id`, as the methods acting on one
 * order do), so the call's spans are found by the order's id.
 */
function orderIdOf(request: unknown): string | undefined {
  const id =
    typeof request === 'object' && request !== null ? (request as { orderId?: unknown }).orderId : undefined;
  return typeof id === 'string' && id !== '' ? id : undefined;
}

/** How close to its deadline a cancelled call counts as DEADLINE_EXCEEDED (network, timers). */
const DEADLINE_TOLERANCE_MS = 250;

/**
 * How far past the caller's absolute deadline (DEADLINE_KEY) a call may still be started: the
 * clocks of two pods (NTP keeps them within milliseconds) and the way. Past it the caller has
 * given up and its answer would go nowhere, while its work would still be done.
 */
const CALLER_GONE_AFTER_MS = 1_000;

/** The caller's deadline (epoch ms) from its metadata, when it sent one. */
function callerDeadline(metadata: Metadata): number | undefined {
  const raw = metadata.get(DEADLINE_KEY)[0];
  const ms = typeof raw === 'string' ? Number(raw) : NaN;
  return Number.isFinite(ms) ? ms : undefined;
}

function wrapUnary<Req, Res>(
  serviceName: string,
  method: string,
  handler: UnaryHandler<Req, Res>,
  logger: Logger,
  internalTokens: readonly Buffer[],
): (call: ServerUnaryCall<Req, Res>, callback: sendUnaryData<Res>) => void {
  return (call, callback) => {
    const started = performance.now();
    const recordDuration = (code: status) =>
      serverDuration.record((performance.now() - started) / 1000, {
        [Attr.RPC_SERVICE]: serviceName,
        [Attr.RPC_METHOD]: method,
        [Attr.RPC_GRPC_STATUS_CODE]: code,
      });
    if (!carriesToken(call.metadata, internalTokens)) {
      // Counted like any answered call: a wrong GRPC_INTERNAL_TOKEN somewhere refuses every call
      // between two services, and MealpeakGrpcUnauthenticated must see it on this side too.
      recordDuration(status.UNAUTHENTICATED);
      logger.error(
        { method: `${serviceName}/${method}`, peer: call.getPeer() },
        'gRPC call without the internal token refused (is GRPC_INTERNAL_TOKEN the same everywhere?)',
      );
      callback(
        toStatus(
          codedError(
            'unauthenticated',
            'INTERNAL_TOKEN_REQUIRED',
            "only the platform's services may call this API",
          ),
        ),
        null,
      );
      return;
    }
    const callerGaveUpAt = callerDeadline(call.metadata);
    if (callerGaveUpAt !== undefined && Date.now() > callerGaveUpAt + CALLER_GONE_AFTER_MS) {
      // Read after its caller gave up (this process was frozen, or the call sat in a buffer):
      // doing the work now would act on a request whose caller was told it failed.
      recordDuration(status.DEADLINE_EXCEEDED);
      logger.warn(
        {
          method: `${serviceName}/${method}`,
          lateByMs: Date.now() - callerGaveUpAt,
        },
        'gRPC call refused unrun: its caller gave up before it was read (a frozen or stalled process?)',
      );
      callback(
        { code: status.DEADLINE_EXCEEDED, details: 'the caller gave up before the call was read' },
        null,
      );
      return;
    }
    const parent = extractTraceContext(call.metadata.getMap());
    const orderId = orderIdOf(call.request);
    const span = tracer.startSpan(
      `${serviceName}/${method}`,
      {
        kind: SpanKind.SERVER,
        attributes: {
          [Attr.RPC_SYSTEM]: 'grpc',
          [Attr.RPC_SERVICE]: serviceName,
          [Attr.RPC_METHOD]: method,
          ...(orderId ? { [Attr.ORDER_ID]: orderId } : {}),
        },
      },
      parent,
    );
    const abort = new AbortController();
    const deadline = call.getDeadline();
    const ctx: CallContext = {
      metadata: call.metadata,
      deadline:
        deadline instanceof Date ? deadline : Number.isFinite(deadline) ? new Date(deadline) : undefined,
      signal: abort.signal,
    };
    // What the client got instead of our answer, once the call is cancelled or its deadline passed:
    // grpc-js then drops whatever the handler answers. The client's own deadline timer usually
    // fires first (ours started when the call arrived, a little later), so a cancellation close
    // to the deadline is the deadline.
    let gone: status | undefined;
    call.once('cancelled', () => {
      const expired =
        ctx.deadline !== undefined && Date.now() >= ctx.deadline.getTime() - DEADLINE_TOLERANCE_MS;
      gone = expired ? status.DEADLINE_EXCEEDED : status.CANCELLED;
      abort.abort(new Error('call cancelled by the client or its deadline'));
    });
    const finish = (answered: status) => {
      const code = gone ?? answered;
      span.setAttribute(Attr.RPC_GRPC_STATUS_CODE, code);
      if (isFailureStatus(code)) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
      recordDuration(code);
    };
    let answered = false;
    context
      .with(trace.setSpan(parent, span), () => handler(call.request, ctx))
      .then((result) => {
        if (result.ok) {
          answered = true;
          callback(null, result.value);
          finish(status.OK);
        } else {
          const st = toStatus(result.error);
          span.setAttribute(Attr.ERROR_CODE, result.error.code);
          // Business answers (not found, conflict...) are the caller's concern and not logged;
          // a dependency down or slow, or a bug the handler caught, is ours.
          const { kind, code, message } = result.error;
          if (kind === 'internal' || kind === 'unavailable' || kind === 'timeout')
            logger[kind === 'internal' ? 'error' : 'warn'](
              { method: `${serviceName}/${method}`, kind, code, message },
              'gRPC call answered with a failure',
            );
          answered = true;
          callback(st, null);
          finish(st.code ?? status.UNKNOWN);
        }
      })
      // Also catches a failure to build the answer (e.g. metadata grpc-js refuses): without it the
      // call would get no answer at all and the client would wait out its deadline.
      .catch((err: unknown) => {
        // A thrown error is a dependency that is down (UNAVAILABLE: the caller may retry) or a
        // bug (INTERNAL: it may not help); logged with the trace, answered without details.
        logger.error({ err, method: `${serviceName}/${method}` }, 'unhandled error in gRPC handler');
        if (answered) return;
        answered = true;
        span.recordException(err instanceof Error ? err : new Error(String(err)));
        span.setStatus({ code: SpanStatusCode.ERROR });
        const kind = classifyThrown(err);
        const st = toStatus(
          kind === 'unavailable'
            ? codedError(kind, THROWN.unavailable, 'a dependency of the service is unavailable; retry later')
            : codedError(kind, THROWN.internal, 'internal error; it is logged with this call'),
        );
        callback(st, null);
        finish(st.code ?? status.INTERNAL);
      });
  };
}

export function createGrpcServer(settings: GrpcServerSettings): GrpcServer {
  const server = new Server(SERVER_OPTIONS);
  const health = new HealthImplementation({ '': 'NOT_SERVING' });
  health.addToServer(server);
  const serviceNames: string[] = [];
  let boundPort = settings.port;
  // Without a current token nothing is checked (a previous one alone means nothing).
  const tokens = settings.internalToken
    ? [settings.internalToken, settings.previousInternalToken ?? '']
        .filter((t) => t !== '')
        .map((t) => Buffer.from(t))
    : [];

  return {
    get port() {
      return boundPort;
    },
    add(definition, implementation) {
      const serviceName = serviceNameOf(definition);
      const wrapped: UntypedServiceImplementation = {};
      for (const [key, handler] of Object.entries(
        implementation as Record<string, UnaryHandler<unknown, unknown>>,
      )) {
        // Spans and metrics use the RPC name from the proto ("PlaceOrder"), not the JS key.
        const method = definition[key]?.path.split('/')[2] ?? key;
        wrapped[key] = wrapUnary(serviceName, method, handler, settings.logger, tokens);
      }
      server.addService(definition, wrapped);
      serviceNames.push(serviceName);
      health.setStatus(serviceName, 'NOT_SERVING');
    },
    async start() {
      boundPort = await new Promise<number>((resolve, reject) => {
        server.bindAsync(
          `${settings.host ?? '0.0.0.0'}:${settings.port}`,
          ServerCredentials.createInsecure(),
          (err, port) => (err ? reject(err) : resolve(port)),
        );
      });
      for (const name of ['', ...serviceNames]) health.setStatus(name, 'SERVING');
      settings.logger.info({ port: boundPort, services: serviceNames }, 'gRPC server listening');
    },
    stopServing() {
      for (const name of ['', ...serviceNames]) health.setStatus(name, 'NOT_SERVING');
    },
    startServing() {
      for (const name of ['', ...serviceNames]) health.setStatus(name, 'SERVING');
    },
    async shutdown(timeoutMs) {
      for (const name of ['', ...serviceNames]) health.setStatus(name, 'NOT_SERVING');
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          settings.logger.warn({ timeoutMs }, 'gRPC calls still running at the shutdown deadline: forcing');
          server.forceShutdown();
          resolve();
        }, timeoutMs);
        server.tryShutdown(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    },
  };
}
