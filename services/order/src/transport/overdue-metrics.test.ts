import { afterAll, describe, expect, it } from 'vitest';
import { installInMemoryMetrics } from '@mealpeak/telemetry/testing';

// The provider must be global before overdue-metrics.ts takes its meter.
const collected = installInMemoryMetrics();
const { OverdueMetric, observeAcceptedOverdue } = await import('./overdue-metrics.ts');

describe('accepted-overdue gauges', () => {
  afterAll(() => collected.shutdown());

  it('exports the overdue orders as read; while reads fail the count stays and the age grows', async () => {
    let failing = false;
    let clock = 1_000_000;
    observeAcceptedOverdue(
      async () => {
        if (failing) throw new Error('statement timeout');
        return { count: 2, oldestSeconds: 600 };
      },
      0,
      () => clock,
    );
    const values = async () =>
      Promise.all(
        [OverdueMetric.ACCEPTED_OVERDUE, OverdueMetric.ACCEPTED_OVERDUE_AGE].map(async (name) =>
          (await collected.values(name)).map((p) => p.value),
        ),
      );
    expect(await values()).toEqual([[2], [600]]);
    failing = true;
    clock += 2_000;
    expect(await values()).toEqual([[2], [602]]);
  });
});
