import { setTimeout as sleep } from 'node:timers/promises';
import type { StateCounts } from './platform-orders.ts';

export const ACTIVE_STATES = ['PLACED', 'ACCEPTED', 'READY_FOR_PICKUP', 'RIDER_ASSIGNED', 'PICKED_UP'];

/** Orders in progress now that were not in progress at the baseline (a shared environment's own). */
export function activeSince(counts: StateCounts, baseline: StateCounts): number {
  return ACTIVE_STATES.reduce((sum, s) => sum + Math.max(0, (counts[s] ?? 0) - (baseline[s] ?? 0)), 0);
}

/**
 * After k6 ends, the platform still has events in flight (Kafka consumers, outbox relays) and
 * orders nobody accepted wait for the acceptance timeout. Wait, bounded, until nothing is in
 * progress, or until nothing moved for `quietMs` while no order waits for acceptance.
 */
export async function waitForDrain(opts: {
  counts: () => Promise<StateCounts>;
  baseline: StateCounts;
  timeoutMs: number;
  quietMs: number;
  pollMs?: number;
  log: (line: string) => void;
}): Promise<{ active: number; waitedMs: number }> {
  const started = Date.now();
  let last = -1;
  let lastChange = started;
  for (;;) {
    const counts = await opts.counts().catch(() => undefined);
    const active = counts ? activeSince(counts, opts.baseline) : last;
    const waitedMs = Date.now() - started;
    if (active === 0) return { active, waitedMs };
    if (active !== last) {
      opts.log(`drain: ${active} order(s) in progress`);
      last = active;
      lastChange = Date.now();
    }
    const placed = counts ? Math.max(0, (counts['PLACED'] ?? 0) - (opts.baseline['PLACED'] ?? 0)) : 0;
    if (waitedMs >= opts.timeoutMs || (placed === 0 && Date.now() - lastChange >= opts.quietMs))
      return { active, waitedMs };
    await sleep(opts.pollMs ?? 2_000);
  }
}
