import { afterAll, describe, expect, it } from 'vitest';
import { installInMemoryMetrics } from '@mealpeak/telemetry/testing';

// The provider must be global before metrics.ts takes its meter.
const collected = installInMemoryMetrics();
const { DispatchMetric, observeQueue } = await import('./metrics.ts');

describe('dispatch queue gauges', () => {
  afterAll(() => collected.shutdown());

  it('exports the queue as read; while reads fail the count stays and the oldest order keeps ageing', async () => {
    let failing = false;
    let clock = 1_000_000;
    observeQueue(
      async () => {
        if (failing) throw new Error('statement timeout');
        return { waiting: 3, oldestAgeSeconds: 120, pickedUpSilent: 1 };
      },
      0,
      () => clock,
    );
    const values = async () =>
      Promise.all(
        [
          DispatchMetric.UNASSIGNED_ORDERS,
          DispatchMetric.UNASSIGNED_OLDEST_AGE,
          DispatchMetric.PICKED_UP_SILENT,
        ].map(async (name) => (await collected.values(name)).map((p) => p.value)),
      );
    expect(await values()).toEqual([[3], [120], [1]]);
    failing = true;
    clock += 1_500;
    // Frozen values would keep the unassigned-order alert quiet for as long as reads fail.
    expect(await values()).toEqual([[3], [121.5], [1]]);
    failing = false;
    expect(await values()).toEqual([[3], [120], [1]]);
  });
});
