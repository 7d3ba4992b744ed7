import { setTimeout as sleep } from 'node:timers/promises';
import { percentile } from '../run/k6-series.ts';
import { settle as settleMachine } from './cpu-by-process.ts';

/**
 * An open-model load generator: request i is *scheduled* at start + i / rate whatever happened to
 * the earlier ones, and its latency counts from that scheduled instant. A slow server therefore
 * shows up as latency (no coordinated omission), and a server that cannot keep up as a growing
 * backlog of in-flight requests.
 */
export interface RunResult {
  offeredRate: number;
  durationS: number;
  sent: number;
  ok: number;
  errors: number;
  /** Requests not sent because too many were already in flight (the server fell behind). */
  shed: number;
  achievedRate: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  statuses: Record<string, number>;
}

export type Fire = (i: number) => Promise<number>; // resolves with the HTTP status

export async function runOpenModel(
  rate: number,
  durationS: number,
  fire: Fire,
  maxInFlight = 4_000,
): Promise<RunResult> {
  const interval = 1_000 / rate;
  const total = Math.round(rate * durationS);
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  let sent = 0;
  let shed = 0;
  let inFlight = 0;
  let ok = 0;
  let errors = 0;
  let lastDone = 0;
  const start = performance.now();
  const pending = new Set<Promise<void>>();
  while (sent + shed < total) {
    const due = Math.min(total, Math.floor((performance.now() - start) / interval) + 1);
    while (sent + shed < due) {
      const i = sent + shed;
      const scheduled = start + i * interval;
      if (inFlight >= maxInFlight) {
        shed++;
        continue;
      }
      inFlight++;
      sent++;
      const p = fire(i)
        .then(
          (status) => {
            statuses[status] = (statuses[status] ?? 0) + 1;
            if (status >= 200 && status < 300) ok++;
            else errors++;
          },
          () => {
            statuses['network'] = (statuses['network'] ?? 0) + 1;
            errors++;
          },
        )
        .finally(() => {
          const now = performance.now();
          latencies.push(now - scheduled);
          lastDone = now;
          inFlight--;
          pending.delete(p);
        });
      pending.add(p);
    }
    await sleep(Math.max(0, Math.min(5, start + (sent + shed) * interval - performance.now())));
  }
  await Promise.all(pending);
  latencies.sort((a, b) => a - b);
  const elapsed = (lastDone - start) / 1_000;
  return {
    offeredRate: rate,
    durationS,
    sent,
    ok,
    errors,
    shed,
    achievedRate: ok / Math.max(elapsed, durationS),
    p50: percentile(latencies, 50),
    p90: percentile(latencies, 90),
    p99: percentile(latencies, 99),
    max: latencies.at(-1) ?? NaN,
    statuses,
  };
}

export interface Sustainability {
  maxErrorRate: number;
  maxP99Ms: number;
  minAchievedShare: number;
}

/** Sustainable: (almost) no errors, nothing shed, throughput kept up, latency not running away. */
export const DEFAULT_SUSTAINABLE: Sustainability = {
  maxErrorRate: 0.001,
  maxP99Ms: 500,
  minAchievedShare: 0.97,
};

export function isSustainable(r: RunResult, s: Sustainability = DEFAULT_SUSTAINABLE): boolean {
  return (
    r.shed === 0 &&
    r.errors <= r.sent * s.maxErrorRate &&
    r.p99 <= s.maxP99Ms &&
    r.achievedRate >= r.offeredRate * s.minAchievedShare
  );
}

/**
 * The highest sustainable rate: double from `start` until a step fails, then bisect between the
 * last good and the first bad rate to `resolution`. Returns every run, for the report.
 *
 * Between steps it waits for the machine to go quiet: an overloaded step leaves work behind (the
 * outbox relay, consumers and PostgreSQL catching up), and a step that starts while that work still
 * runs is measured against a busy machine, which made identical runs disagree by a factor of two.
 */
export async function findMaxRate(
  start: number,
  stepS: number,
  fire: Fire,
  resolution = 0.1,
  settle: () => Promise<unknown> = () => settleMachine(),
): Promise<{ max: RunResult | undefined; runs: RunResult[] }> {
  const runs: RunResult[] = [];
  const probe = async (rate: number) => {
    const r = await runOpenModel(Math.round(rate), stepS, fire);
    runs.push(r);
    process.stderr.write(
      `  rate ${String(Math.round(rate)).padStart(5)}/s -> ok ${r.achievedRate.toFixed(0)}/s p99 ${r.p99.toFixed(1)} ms errors ${r.errors} shed ${r.shed} ${isSustainable(r) ? 'sustainable' : 'NOT sustainable'} ${JSON.stringify(r.statuses)}\n`,
    );
    await settle();
    return r;
  };
  let good: RunResult | undefined;
  let bad: number | undefined;
  for (let rate = start; bad === undefined; rate *= 2) {
    const r = await probe(rate);
    if (isSustainable(r)) good = r;
    else bad = rate;
    if (rate > 100_000) break;
  }
  let low = good?.offeredRate ?? 0;
  let high = bad ?? low;
  while (high - low > Math.max(1, low * resolution)) {
    const mid = (low + high) / 2;
    const r = await probe(mid);
    if (isSustainable(r)) {
      good = r;
      low = mid;
    } else high = mid;
  }
  return { max: good, runs };
}
