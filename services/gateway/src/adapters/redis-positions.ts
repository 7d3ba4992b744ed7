import type { Redis } from '@mealpeak/redis';
import {
  createPositionWriter,
  DEFAULT_PLAUSIBILITY,
  type PingOutcome,
  type PositionCheck,
  type PositionPing,
  type PositionWriterOptions,
} from '@mealpeak/rider-positions';
import { Attr, metrics, type Logger } from '@mealpeak/telemetry';
import type { PositionsPort } from '../app/ports.ts';
import { PING_MAX_FUTURE_MS } from '../app/position-use-cases.ts';

/**
 * Gateway metric names. They belong in libs/telemetry's Metric registry; that lib is shared, so
 * they wait here until it takes them (as rider-dispatch's do).
 */
export const GatewayMetric = {
  POSITIONS_FLUSH_SIZE: 'mealpeak.gateway.positions.flush.size',
  POSITIONS_FLUSH_DURATION: 'mealpeak.gateway.positions.flush.duration',
  POSITIONS_REJECTED: 'mealpeak.gateway.positions.rejected',
  POSITIONS_RELOCATED: 'mealpeak.gateway.positions.relocated',
} as const;

const meter = metrics.getMeter('@mealpeak/gateway');
const flushSize = meter.createHistogram(GatewayMetric.POSITIONS_FLUSH_SIZE, {
  description: 'Pings per Redis pipeline (pings of concurrent requests share one)',
});
const flushDuration = meter.createHistogram(GatewayMetric.POSITIONS_FLUSH_DURATION, {
  unit: 's',
  description: 'Redis time of one pipeline of pings',
});

const rejected = meter.createCounter(GatewayMetric.POSITIONS_REJECTED, {
  description:
    'Pings not taken as they came, by reason (stale, out_of_order, implausible); used=true: an implausible one used anyway (RIDER_POSITION_CHECK=flag)',
});
const relocated = meter.createCounter(GatewayMetric.POSITIONS_RELOCATED, {
  description:
    'Jumps taken because the fixes before them agreed with them (ADR 0018): riders moved by a run of fixes',
});

/**
 * Counts what the index did with each ping (the rejections dashboards and alerts watch) and logs
 * every jump with its rider: the evidence rider operations act on (ADR 0018). Honest GPS jumps
 * a fraction of a percent of the time, so the lines stay few.
 */
export function observePing(ping: PositionPing, outcome: PingOutcome, logger: Logger): void {
  const reject = (reason: string, used: boolean) =>
    rejected.add(1, { [Attr.POSITION_REJECT_REASON]: reason, [Attr.POSITION_USED]: used });
  const jumped = (verdict: string) =>
    logger.info(
      { riderId: ping.riderId, recordedAt: ping.recordedAt, verdict },
      'implausible rider position',
    );
  switch (outcome.status) {
    case 'accepted':
      if (outcome.jump === 'flagged') {
        reject('implausible', true);
        jumped('flagged');
      } else if (outcome.jump === 'relocated') {
        relocated.add(1);
        jumped('relocated');
      }
      return;
    case 'dropped_stale':
      return reject('stale', false);
    case 'dropped_out_of_order':
      return reject('out_of_order', false);
    case 'dropped_implausible':
      reject('implausible', false);
      return jumped('dropped');
    case 'invalid':
    case 'unavailable':
      // A 400 or a 503 of the request: the HTTP metrics count those.
      return;
  }
}

export interface RedisPositionsSettings {
  /** RIDER_POSITIONS_NAMESPACE and RIDER_POSITION_TTL_MS: rider-dispatch reads with the same ones. */
  readonly namespace: string;
  readonly ttlMs: number;
  /** RIDER_POSITION_CHECK and RIDER_POSITION_MAX_SPEED_MPS (ADR 0018). */
  readonly check: PositionCheck;
  readonly maxSpeedMps?: number;
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
    check: settings.check,
    plausibility: {
      ...DEFAULT_PLAUSIBILITY,
      maxSpeedMps: settings.maxSpeedMps ?? DEFAULT_PLAUSIBILITY.maxSpeedMps,
    },
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
    write: async (ping) => {
      const outcome = await writer.write(ping);
      observePing(ping, outcome, settings.logger);
      return outcome;
    },
    close: writer.close,
  };
}
