import type { IncomingMessage } from 'node:http';
import type { FastifyInstance } from 'fastify';
import { FastifyOtelInstrumentation } from '@fastify/otel';
import { extractTraceContext, ROOT_CONTEXT, trace, type SpanContext } from '@mealpeak/telemetry';

/**
 * Request spans of the public edge. Three departures from @fastify/otel's defaults:
 *
 * - A caller's `traceparent` is not continued: on the internet it is anyone's, and continuing it
 *   would let a client choose trace ids and, with the sampled flag, have every request recorded
 *   whatever OTEL_TRACES_SAMPLER_ARG says. Each request starts a trace of ours (sampled at the
 *   configured ratio) and links the caller's span, so a client's trace can still be joined.
 * - Spans are named `METHOD /route/{template}` instead of `request`, and handler spans
 *   `handler METHOD /route` instead of fastify's plugin name (the plugin's source text).
 * - `url.path` is the path without the query string, which holds customers' coordinates.
 */

const callers = new WeakMap<IncomingMessage, SpanContext>();

// One instrumentation per process; spans for each request and handler, not for every hook. Made
// at the first app, not at import: its tracer is taken then, and before a tracer provider is
// installed (tests install theirs after importing the app) it would be a no-op for good.
let otel: FastifyOtelInstrumentation | undefined;
const instrumentation = (): FastifyOtelInstrumentation =>
  (otel ??= new FastifyOtelInstrumentation({
    instrumentHooks: false,
    requestHook: (span, request) => {
      const route = request.routeOptions.url;
      span.updateName(route ? `${request.method} ${route}` : request.method);
      span.setAttribute('url.path', request.url.split('?', 1)[0] ?? '/');
      const caller = callers.get(request.raw);
      if (caller) span.addLink({ context: caller });
    },
    lifecycleHook: (span, { hookName, request }) => {
      const route = request.routeOptions.url;
      span.updateName(`${hookName} ${request.method}${route ? ` ${route}` : ''}`);
      span.setAttribute('hook.name', hookName);
    },
  }));

/** Before any route: the request span must see the headers without the caller's trace context. */
export async function registerTracing(app: FastifyInstance): Promise<void> {
  // Runs before @fastify/otel's own onRequest hook (hooks run in registration order).
  app.addHook('onRequest', async (request) => {
    const { traceparent, tracestate } = request.headers;
    if (traceparent === undefined) return;
    const caller = trace.getSpanContext(extractTraceContext({ traceparent, tracestate }, ROOT_CONTEXT));
    if (caller) callers.set(request.raw, caller);
    delete request.headers.traceparent;
    delete request.headers.tracestate;
  });
  await app.register(instrumentation().plugin());
}
