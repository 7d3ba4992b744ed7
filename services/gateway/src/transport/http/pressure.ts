import { monitorEventLoopDelay, performance, type EventLoopUtilization } from 'node:perf_hooks';
import { getHeapStatistics } from 'node:v8';
import { pressureRefusal, type Priority } from './priority.ts';

/** Which process signal is over its limit. */
export type PressureSignal = 'event_loop_delay' | 'event_loop_utilization' | 'heap';

export interface PressureLimits {
  /** 0 turns the check off. */
  readonly maxEventLoopDelayMs: number;
  /** 0 turns the check off. */
  readonly maxEventLoopUtilization: number;
  readonly maxHeapUsedBytes: number;
  readonly sampleIntervalMs: number;
}

export interface PressureSample {
  readonly eventLoopDelayMs: number;
  /** Share of the last sample interval the event loop was busy (0-1). */
  readonly eventLoopUtilization: number;
  readonly heapUsedBytes: number;
}

export interface PressureMonitor {
  /** The first signal over its limit for this priority at the last sample, or undefined. */
  overloadedBy(priority: Priority): PressureSignal | undefined;
  last(): PressureSample;
  stop(): void;
}

const RESOLUTION_MS = 10;

/**
 * Samples event-loop delay, event-loop utilisation (per interval) and heap use on a timer, what
 * @fastify/under-pressure did; ours because that plugin's sampler calls process.memoryUsage(), which
 * reads /proc and throws EMFILE once a connection flood has used every file descriptor, and a throw
 * in a timer ends the process. Here nothing needs a descriptor (the heap comes from V8) and a
 * failing sample is reported and skipped: the previous values stand.
 */
/** The event-loop delay histogram and clock a monitor reads; replaced in tests. */
export interface DelaySource {
  /** Mean delay in ns since the last reset; NaN when nothing was recorded. */
  readonly mean: number;
  reset(): void;
  disable(): void;
  /** Milliseconds on a monotonic clock. */
  now(): number;
}

function nodeDelaySource(): DelaySource {
  const histogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  histogram.enable();
  return {
    get mean() {
      return histogram.mean;
    },
    reset: () => histogram.reset(),
    disable: () => histogram.disable(),
    now: () => performance.now(),
  };
}

export function startPressureMonitor(
  limits: PressureLimits,
  onError: (error: unknown) => void,
  readHeapUsed: () => number = () => getHeapStatistics().used_heap_size,
  delay: DelaySource = nodeDelaySource(),
): PressureMonitor {
  let elu: EventLoopUtilization = performance.eventLoopUtilization();
  let sample: PressureSample = { eventLoopDelayMs: 0, eventLoopUtilization: 0, heapUsedBytes: 0 };
  let lastTake = delay.now();

  const take = () => {
    try {
      const mean = delay.mean / 1e6;
      delay.reset();
      const now = delay.now();
      const sinceLast = now - lastTake;
      lastTake = now;
      const current = performance.eventLoopUtilization();
      const utilization = performance.eventLoopUtilization(current, elu).utilization;
      elu = current;
      sample = {
        // Nothing recorded since the last sample: the histogram's own timer never ran, so the loop
        // was blocked all that time but for one resolution step. That figure (a lower bound, what
        // one recorded delay would have said) rather than Infinity: the gauge shows how long the
        // loop stood still instead of skipping the interval, and the limits judge it like any
        // other delay.
        eventLoopDelayMs: Number.isNaN(mean)
          ? Math.max(0, sinceLast - RESOLUTION_MS)
          : Math.max(0, mean - RESOLUTION_MS),
        eventLoopUtilization: utilization,
        heapUsedBytes: readHeapUsed(),
      };
    } catch (error) {
      onError(error);
    }
  };
  const timer = setInterval(take, Math.max(RESOLUTION_MS, limits.sampleIntervalMs));
  timer.unref();

  return {
    overloadedBy: (priority) => pressureRefusal(priority, sample, limits),
    last: () => sample,
    stop: () => {
      clearInterval(timer);
      delay.disable();
    },
  };
}
