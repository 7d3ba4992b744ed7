import type { Redis } from '@mealpeak/redis';
import { createPositionWriter, type PositionWriterOptions } from '@mealpeak/rider-positions';
import { metrics, type Logger } from '@mealpeak/telemetry';
import type { PositionsPort } from '../app/ports.ts';
import { PING_MAX_FUTURE_MS } from '../app/position-use-cases.ts';

/**
 * Gateway metric names. They belong in libs/telemetry's Metric registry; that lib is shared, so
 * they wait here until it takes them (as rider-dispatch's do).
 */
export const GatewayMetric = {
  POSITIONS_FLUSH_SIZE: 'mealpeak.gateway.positions.flush.size',
  POSITIONS_FLUSH_DURATION: 'mealpeak.gateway.positions.flush.duration',
} as const;

const meter = metrics.getMeter('@mealpeak/gateway');
const flushSize = meter.createHistogram(GatewayMetric.POSITIONS_FLUSH_SIZE, {
  description: 'Pings per Redis pipeline (pings of concurrent requests share one)',
});
const flushDuration = meter.createHistogram(GatewayMetric.POSITIONS_FLUSH_DURATION, {
  unit: 's',
  description: 'Redis time of one pipeline of pings',
});

export interface RedisPositionsSettings {
  /** RIDER_POSITIONS_NAMESPACE and RIDER_POSITION_TTL_MS: rider-dispatch reads with the same ones. */
  readonly namespace: string;
  readonly ttlMs: number;
  readonly logger: Logger;
  /** Tests watch the flushes; production reports them as metrics only. */
  readonly onFlush?: PositionWriterOptions['onFlush'];
}

/**
 * The positions port over libs/rider-positions' writer: one per process, so pings of concurrent
 * requests are micro-batched into one Redis pipeline. Key prefix (REDIS_KEY_PREFIX) is the client's.
 */
export function createRedisPositions(
  redis: Redis,
  settings: RedisPositionsSettings,
): PositionsPort & { close(): Promise<void> } {
  let lastFailureLog = 0;
  const writer = createPositionWriter(redis, {
    namespace: settings.namespace,
    ttlMs: settings.ttlMs,
    maxFutureMs: PING_MAX_FUTURE_MS,
    onFlush: (flush) => {
      flushSize.record(flush.size);
      flushDuration.record(flush.ms / 1000);
      settings.onFlush?.(flush);
      // At most one line per 10 s: during an outage every flush fails.
      if (flush.failed && Date.now() - lastFailureLog > 10_000) {
        lastFailureLog = Date.now();
        settings.logger.warn({ pings: flush.size }, 'rider positions not stored: redis unavailable');
      }
    },
  });
  return {
    // Same shortcut as the rate limiter's: no waiting for a Redis we know is away.
    isAvailable: () => redis.status === 'ready',
    write: writer.write,
    close: writer.close,
  };
}
