import { afterEach, describe, expect, it } from 'vitest';
import { startPressureMonitor, type DelaySource, type PressureMonitor } from './pressure.ts';

const limits = {
  maxEventLoopDelayMs: 0,
  maxEventLoopUtilization: 0,
  maxHeapUsedBytes: 1_000,
  sampleIntervalMs: 10,
};

async function until(check: () => boolean): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

let monitor: PressureMonitor | undefined;
afterEach(() => monitor?.stop());

describe('pressure monitor', () => {
  it('names the signal over its limit', async () => {
    monitor = startPressureMonitor(
      limits,
      () => undefined,
      () => 2_000,
    );
    await until(() => monitor?.overloadedBy('critical') !== undefined);
    expect(monitor.overloadedBy('critical')).toBe('heap');
    expect(monitor.last().heapUsedBytes).toBe(2_000);
  });

  it('survives a failing sample (EMFILE once every descriptor is used) and keeps sampling', async () => {
    const errors: unknown[] = [];
    let calls = 0;
    monitor = startPressureMonitor(
      limits,
      (e) => errors.push(e),
      () => {
        calls += 1;
        if (calls <= 2) throw Object.assign(new Error('EMFILE: too many open files'), { code: 'EMFILE' });
        return 2_000;
      },
    );
    // A throw escaping the timer would be an uncaught exception: the test run fails, the process exits.
    await until(() => monitor?.overloadedBy('critical') === 'heap');
    expect(errors).toHaveLength(2);
  });

  it('reports a fully blocked interval as the time the loop stood still, judged like any delay', async () => {
    // The histogram recorded nothing (its timer never ran) and 700 ms passed between samples.
    let clock = 0;
    const blocked: DelaySource = {
      mean: NaN,
      reset: () => undefined,
      disable: () => undefined,
      now: () => (clock += 700),
    };
    monitor = startPressureMonitor(
      { ...limits, maxEventLoopDelayMs: 500 },
      () => undefined,
      () => 0,
      blocked,
    );
    await until(() => monitor!.last().eventLoopDelayMs > 0);
    // Was Infinity: the delay gauge skipped the interval, and every priority was refused.
    expect(monitor.last().eventLoopDelayMs).toBe(690);
    expect(monitor.overloadedBy('normal')).toBe('event_loop_delay');
    expect(monitor.overloadedBy('critical')).toBeUndefined();
  });
});
