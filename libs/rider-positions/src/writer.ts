import { codedError } from '@mealpeak/core';
import type { Redis } from 'ioredis';
import { positionKeys } from './keys.ts';
import { createScriptRunner } from '@mealpeak/redis';
import { APPLY_PING, PURGE_SILENT } from './scripts.ts';
import { DEFAULT_TTL_MS, type PingOutcome, type PositionIndexOptions, type PositionPing } from './types.ts';
import { checkPing, notAfter } from './validate.ts';
import { DEFAULT_PLAUSIBILITY, type PlausibilityRule, type PositionCheck } from './domain/plausibility.ts';

export interface PositionWriterOptions extends PositionIndexOptions {
  /** Fixes older than this are dropped without a round trip; default: the TTL. */
  readonly maxAgeMs?: number;
  /** Allowance for device clocks running ahead; default 30 s. */
  readonly maxFutureMs?: number;
  /**
   * Judging each fix against the previous one (docs/adr/0018-position-plausibility.md): `flag`
   * applies a jump and says so, `enforce` does not apply it; default `off` (no judging).
   */
  readonly check?: PositionCheck;
  /** The speeds and counts of that judgement; default DEFAULT_PLAUSIBILITY. */
  readonly plausibility?: PlausibilityRule;
  /** A flush starts as soon as this many pings wait (default 1,000). */
  readonly maxBatch?: number;
  /** ...or this long after the first of them arrived (default 2 ms). */
  readonly flushDelayMs?: number;
  /** Called after every flush: for metrics (batch size, Redis time) and tests. */
  readonly onFlush?: (flush: { size: number; ms: number; failed: boolean }) => void;
}

export interface PositionWriter {
  /** Validates and applies one ping; resolves once Redis has it (or with why not). Never rejects. */
  readonly write: (ping: PositionPing) => Promise<PingOutcome>;
  /** Takes a rider out of the index at once (going offline). */
  readonly remove: (riderId: string) => Promise<void>;
  /** Removes up to `limit` riders silent for longer than the TTL; returns how many. Any process may run it. */
  readonly purgeSilent: (limit?: number) => Promise<number>;
  /** Flushes what is queued and waits for every flush in flight. */
  readonly close: () => Promise<void>;
}

interface Queued {
  readonly ping: PositionPing;
  readonly clamped: boolean;
  readonly resolve: (outcome: PingOutcome) => void;
}

/** APPLY_PING's replies, by number. */
const REPLIES: readonly PingOutcome[] = [
  { status: 'dropped_out_of_order' },
  { status: 'accepted' },
  { status: 'accepted', jump: 'flagged' },
  { status: 'accepted', jump: 'relocated' },
  { status: 'dropped_implausible' },
];
const unavailable = (error: unknown): PingOutcome => ({
  status: 'unavailable',
  error: codedError('unavailable', 'POSITIONS_UNAVAILABLE', `position store unavailable: ${String(error)}`),
});

/**
 * The write side of live rider positions, built for the platform's highest-rate traffic: checks
 * that need no I/O run first, and pings from any number of concurrent requests are micro-batched
 * into ONE Redis pipeline per flush (up to `maxBatch` pings, or `flushDelayMs` after the first),
 * each caller awaiting its own outcome. Each ping is one EVALSHA of APPLY_PING, atomic per rider,
 * which drops fixes not newer than the stored one (out-of-order delivery, retries) and judges
 * the fix against the stored one (`check`) in the same call.
 */
export function createPositionWriter(redis: Redis, options: PositionWriterOptions = {}): PositionWriter {
  const keys = positionKeys(options.namespace);
  const ttlMs = options.ttlMs ?? DEFAULT_TTL_MS;
  const limits = { maxAgeMs: options.maxAgeMs ?? ttlMs, maxFutureMs: options.maxFutureMs ?? 30_000 };
  const maxBatch = options.maxBatch ?? 1_000;
  const flushDelayMs = options.flushDelayMs ?? 2;
  const now = options.now ?? Date.now;
  const check = options.check ?? 'off';
  const rule = options.plausibility ?? DEFAULT_PLAUSIBILITY;
  const judging = [check, rule.maxSpeedMps, rule.slackM, rule.confirmFixes, rule.confirmSpanMs] as const;
  const apply = createScriptRunner(redis, APPLY_PING);
  const purge = createScriptRunner(redis, PURGE_SILENT);
  let queue: Queued[] = [];
  let timer: NodeJS.Timeout | undefined;
  const inFlight = new Set<Promise<void>>();

  async function applyBatch(batch: readonly Queued[]): Promise<void> {
    const started = performance.now();
    let failed = false;
    try {
      const results = await apply.many(
        batch.map(({ ping, clamped }) => ({
          keys: [keys.geo, keys.seen, keys.suspects],
          args: [ping.riderId, ping.lng, ping.lat, Math.round(ping.recordedAt), clamped ? 1 : 0, ...judging],
        })),
      );
      batch.forEach((q, i) => {
        const r = results[i];
        if (r instanceof Error || r === undefined) q.resolve(unavailable(r ?? 'no reply'));
        else q.resolve(REPLIES[Number(r)] ?? unavailable(`unexpected reply ${JSON.stringify(r)}`));
      });
    } catch (error) {
      failed = true;
      for (const q of batch) q.resolve(unavailable(error));
    }
    options.onFlush?.({ size: batch.length, ms: performance.now() - started, failed });
  }

  function flush(): void {
    clearTimeout(timer);
    timer = undefined;
    const batch = queue;
    queue = [];
    if (batch.length === 0) return;
    const done: Promise<void> = applyBatch(batch).finally(() => inFlight.delete(done));
    inFlight.add(done);
  }

  return {
    write(given) {
      const at = now();
      const rejected = checkPing(given, at, limits);
      if (rejected) return Promise.resolve(rejected);
      const { ping, clamped } = notAfter(given, at);
      return new Promise<PingOutcome>((resolve) => {
        queue.push({ ping, clamped, resolve });
        if (queue.length >= maxBatch) flush();
        else timer ??= setTimeout(flush, flushDelayMs);
      });
    },
    async remove(riderId) {
      await redis
        .pipeline()
        .zrem(keys.geo, riderId)
        .zrem(keys.seen, riderId)
        .hdel(keys.suspects, riderId)
        .exec();
    },
    async purgeSilent(limit = 1_000) {
      return Number(
        await purge.one({ keys: [keys.geo, keys.seen, keys.suspects], args: [now() - ttlMs, limit] }),
      );
    },
    async close() {
      flush();
      await Promise.all(inFlight);
    },
  };
}
