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

export interface RunOptions {
  /**
   * Seconds at the step's rate before measuring starts, in the same open-model schedule: a jump
   * from a quiet machine to a new rate costs a transient (idle vCPUs waking, queues filling, the
   * JIT meeting new shapes) that is not what the rate sustains. Not counted anywhere in the result.
   */
  leadInS?: number;
  /** Called when the first measured request is due (e.g. to start a CPU reading). */
  onMeasuring?: () => void;
  maxInFlight?: number;
}

export async function runOpenModel(
  rate: number,
  durationS: number,
  fire: Fire,
  options: RunOptions = {},
): Promise<RunResult> {
  const { leadInS = 0, onMeasuring, maxInFlight = 4_000 } = options;
  const interval = 1_000 / rate;
  const leadIn = Math.round(rate * leadInS);
  const total = leadIn + Math.round(rate * durationS);
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
  let next = 0; // index of the next request due, lead-in included
  while (next < total) {
    const due = Math.min(total, Math.floor((performance.now() - start) / interval) + 1);
    while (next < due) {
      const i = next++;
      const scheduled = start + i * interval;
      const measured = i >= leadIn;
      if (i === leadIn) onMeasuring?.();
      if (inFlight >= maxInFlight) {
        if (measured) shed++;
        continue;
      }
      inFlight++;
      if (measured) sent++;
      const p = fire(i)
        .then(
          (status) => {
            if (!measured) return;
            statuses[status] = (statuses[status] ?? 0) + 1;
            if (status >= 200 && status < 300) ok++;
            else errors++;
          },
          () => {
            if (!measured) return;
            statuses['network'] = (statuses['network'] ?? 0) + 1;
            errors++;
          },
        )
        .finally(() => {
          const now = performance.now();
          if (measured) {
            latencies.push(now - scheduled);
            lastDone = now;
          }
          inFlight--;
          pending.delete(p);
        });
      pending.add(p);
    }
    await sleep(Math.max(0, Math.min(5, start + next * interval - performance.now())));
  }
  await Promise.all(pending);
  latencies.sort((a, b) => a - b);
  const elapsed = (lastDone - (start + leadIn * interval)) / 1_000;
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

/** The lead-in every measured step of the benchmarks gets (see RunOptions.leadInS). */
export const LEAD_IN_S = 3;

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
 * Each step then starts with an unmeasured lead-in at its rate: without it the first second or two
 * after the quiet pause (p99 up to ~570 ms where the rest of the step stayed under 200 ms) decided
 * whether a step passed, and the search stopped below rates the pipeline sustains.
 */
export async function findMaxRate(
  start: number,
  stepS: number,
  fire: Fire,
  options: {
    resolution?: number;
    leadInS?: number;
    settle?: () => Promise<unknown>;
    /** When a step counts as sustained; default isSustainable with DEFAULT_SUSTAINABLE. */
    sustainable?: (r: RunResult) => boolean;
  } = {},
): Promise<{ max: RunResult | undefined; runs: RunResult[] }> {
  const {
    resolution = 0.1,
    leadInS = LEAD_IN_S,
    settle = () => settleMachine(),
    sustainable = (r: RunResult) => isSustainable(r),
  } = options;
  const runs: RunResult[] = [];
  const probe = async (rate: number) => {
    const r = await runOpenModel(Math.round(rate), stepS, fire, { leadInS });
    runs.push(r);
    process.stderr.write(
      `  rate ${String(Math.round(rate)).padStart(5)}/s -> ok ${r.achievedRate.toFixed(0)}/s p99 ${r.p99.toFixed(1)} ms errors ${r.errors} shed ${r.shed} ${sustainable(r) ? 'sustainable' : 'NOT sustainable'} ${JSON.stringify(r.statuses)}\n`,
    );
    await settle();
    return r;
  };
  let good: RunResult | undefined;
  let bad: number | undefined;
  for (let rate = start; bad === undefined; rate *= 2) {
    const r = await probe(rate);
    if (sustainable(r)) good = r;
    else bad = rate;
    if (rate > 100_000) break;
  }
  let low = good?.offeredRate ?? 0;
  let high = bad ?? low;
  while (high - low > Math.max(1, low * resolution)) {
    const mid = (low + high) / 2;
    const r = await probe(mid);
    if (sustainable(r)) {
      good = r;
      low = mid;
    } else high = mid;
  }
  return { max: good, runs };
}
