import { describe, expect, it } from 'vitest';
import { metrics } from '@opentelemetry/api';
import { AggregationTemporality, MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { createLogger } from '@mealpeak/telemetry';
import { TOPICS } from './registry.ts';

class TestReader extends MetricReader {
  constructor() {
    super({ aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE });
  }
  protected override async onShutdown(): Promise<void> {}
  protected override async onForceFlush(): Promise<void> {}
}

describe('dead-letter counter', () => {
  it('exists at 0 for every consumed topic before any message fails', async () => {
    const reader = new TestReader();
    metrics.setGlobalMeterProvider(new MeterProvider({ readers: [reader] }));
    // The module creates its instruments on import, so it is imported after the provider is set.
    const { createMessageProcessor } = await import('./message-processor.ts');
    createMessageProcessor(
      {
        groupId: 'g',
        topics: ['order.events.v1', TOPICS.merchantEvents],
        handlers: [],
        logger: createLogger({ service: 't', level: 'silent' }),
      },
      async () => {},
    );
    const { resourceMetrics } = await reader.collect();
    const series = resourceMetrics.scopeMetrics
      .flatMap((s) => s.metrics)
      .filter((m) => m.descriptor.name === 'mealpeak.kafka.messages.dead_lettered')
      .flatMap((m) => m.dataPoints.map((p) => [Object.values(p.attributes)[0], p.value]));
    expect(series).toEqual([
      ['order.events.v1', 0],
      ['merchant.events.v1', 0],
    ]);
  });
});
