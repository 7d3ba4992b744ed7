import { codedError } from '@mealpeak/core';
import { checkPing, type PingOutcome, type PositionPing } from '@mealpeak/rider-positions';
import type { PositionsPort } from '../../src/app/ports.ts';

/**
 * libs/rider-positions' writer in a Map: its checks (checkPing, stale after the TTL), its
 * out-of-order rule (a fix not newer than the stored one is dropped) and an outage switch.
 * The real writer against Redis: test/rider-positions-redis.int.test.ts.
 */
export class FakePositions implements PositionsPort {
  /** Latest applied fix per rider. */
  readonly latest = new Map<string, PositionPing>();
  /** Every ping handed to write(), in order. */
  readonly written: PositionPing[] = [];
  /** false: known to be down (isAvailable), so the route never calls write. */
  available = true;
  /** true: looks up but every write fails (an outage the status has not shown yet). */
  failing = false;
  ttlMs = 60_000;
  /** Stands in for the plausibility check (ADR 0018): the outcome of a ping it returns one for. */
  judge: ((ping: PositionPing) => PingOutcome | undefined) | undefined;

  isAvailable(): boolean {
    return this.available;
  }

  async write(ping: PositionPing): Promise<PingOutcome> {
    this.written.push(ping);
    const rejected = checkPing(ping, Date.now(), { maxAgeMs: this.ttlMs, maxFutureMs: 30_000 });
    if (rejected) return rejected;
    if (this.failing)
      return {
        status: 'unavailable',
        error: codedError('unavailable', 'POSITIONS_UNAVAILABLE', 'connect ECONNREFUSED 10.0.0.9:6379'),
      };
    const judged = this.judge?.(ping);
    if (judged) return judged;
    const stored = this.latest.get(ping.riderId);
    if (stored && stored.recordedAt >= ping.recordedAt) return { status: 'dropped_out_of_order' };
    this.latest.set(ping.riderId, ping);
    return { status: 'accepted' };
  }
}
