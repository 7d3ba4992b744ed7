import { context, metrics, propagation, trace } from '@opentelemetry/api';
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import {
  InMemorySpanExporter,
  SimpleSpanProcessor,
  TracerProvider,
  type ReadableSpan,
} from '@opentelemetry/sdk-trace';

export interface InMemoryTracing {
  spans(): ReadableSpan[];
  reset(): void;
  shutdown(): Promise<void>;
}

/** Real tracer, context manager and W3C propagator, exporting to memory: for trace assertions in tests. */
export function installInMemoryTracing(): InMemoryTracing {
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
  const contextManager = new AsyncLocalStorageContextManager().enable();
  context.setGlobalContextManager(contextManager);
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  trace.setGlobalTracerProvider(provider);
  return {
    spans: () => exporter.getFinishedSpans(),
    reset: () => exporter.reset(),
    shutdown: async () => {
      await provider.shutdown();
      trace.disable();
      context.disable();
      propagation.disable();
    },
  };
}

export interface InMemoryMetrics {
  /** Each numeric data point of `name` now (gauges are observed at this call), with its attributes. */
  values(name: string): Promise<{ attributes: Record<string, unknown>; value: number }[]>;
  /** Each data point of the histogram `name`: how many values it recorded, with its attributes. */
  counts(name: string): Promise<{ attributes: Record<string, unknown>; count: number }[]>;
  shutdown(): Promise<void>;
}

class PullReader extends MetricReader {
  protected override async onShutdown(): Promise<void> {}
  protected override async onForceFlush(): Promise<void> {}
}

/**
 * A real meter provider read on demand: for metric assertions in tests. Instruments are bound to
 * the provider in force when they are created, so install it before what creates them.
 */
export function installInMemoryMetrics(): InMemoryMetrics {
  const reader = new PullReader();
  const provider = new MeterProvider({ readers: [reader] });
  // The API keeps the first global provider it is given: one left by an earlier test file of
  // the same worker would make this one silently unused.
  metrics.disable();
  metrics.setGlobalMeterProvider(provider);
  const points = async (name: string) => {
    const { resourceMetrics } = await reader.collect();
    return resourceMetrics.scopeMetrics
      .flatMap((s) => s.metrics)
      .filter((m) => m.descriptor.name === name)
      .flatMap((m) => (m.dataPoints as { attributes: Record<string, unknown>; value: unknown }[]).slice());
  };
  return {
    async values(name) {
      return (await points(name))
        .filter(
          (p): p is { attributes: Record<string, unknown>; value: number } => typeof p.value === 'number',
        )
        .map((p) => ({ attributes: { ...p.attributes }, value: p.value }));
    },
    async counts(name) {
      return (await points(name)).flatMap((p) =>
        typeof p.value === 'object' && p.value !== null && 'count' in p.value
          ? [{ attributes: { ...p.attributes }, count: Number(p.value.count) }]
          : [],
      );
    },
    async shutdown() {
      await provider.shutdown();
      metrics.disable();
    },
  };
}
