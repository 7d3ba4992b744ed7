/**
 * Time series from k6's streamed CSV output (`--out csv=...`, K6_CSV_TIME_FORMAT=unix_milli):
 * requests, failures and latency per endpoint per time bucket, sessions, VUs, and the observer's
 * orders-by-state samples. handleSummary only sees aggregates; this is what the report plots.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';

export interface Bucket {
  /** Requests by endpoint (`name` tag) and by scenario. */
  requests: Map<string, number>;
  byScenario: Map<string, number>;
  /** Failed requests (http_req_failed = 1) by status ('0' = no answer). */
  failures: Map<string, number>;
  /** The same by status and error code (`503 OVERLOADED`), from the scripts' failed_requests. */
  failureCodes: Map<string, number>;
  /** Durations (ms) by endpoint. */
  durations: Map<string, number[]>;
  ordersPlaced: number;
  droppedIterations: number;
  vus: number;
}

export interface Series {
  startMs: number;
  bucketMs: number;
  buckets: Bucket[];
  /** Observer samples: [ms since start, state -> count]. */
  orderStates: { t: number; counts: Record<string, number> }[];
  totals: { requests: number; failures: number };
  /** Failed requests over the whole run by endpoint, then `status code`. */
  failuresByEndpoint: Map<string, Map<string, number>>;
}

/** Splits one CSV line (k6 quotes fields holding commas or quotes). */
export function splitCsv(line: string): string[] {
  if (!line.includes('"')) return line.split(',');
  const out: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      out.push(field);
      field = '';
    } else field += c;
  }
  out.push(field);
  return out;
}

/** `a=1&b=2` (k6's extra_tags) as an object. */
export function parseTags(raw: string): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const pair of raw.split('&')) {
    const eq = pair.indexOf('=');
    if (eq > 0) tags[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return tags;
}

const emptyBucket = (): Bucket => ({
  requests: new Map(),
  byScenario: new Map(),
  failures: new Map(),
  failureCodes: new Map(),
  durations: new Map(),
  ordersPlaced: 0,
  droppedIterations: 0,
  vus: 0,
});

const bump = (m: Map<string, number>, key: string, by = 1) => m.set(key, (m.get(key) ?? 0) + by);

/** Aggregates CSV lines (header first) into buckets of `bucketMs`. */
export class SeriesBuilder {
  private columns: Record<string, number> = {};
  private readonly buckets: Bucket[] = [];
  private readonly states = new Map<number, Record<string, number>>();
  private startMs = Infinity;
  private totals = { requests: 0, failures: 0 };
  private readonly failuresByEndpoint = new Map<string, Map<string, number>>();
  private pending: string[][] = [];
  private readonly bucketMs: number;

  constructor(bucketMs: number) {
    this.bucketMs = bucketMs;
  }

  add(line: string): void {
    if (line === '') return;
    const f = splitCsv(line);
    if (f[0] === 'metric_name') {
      this.columns = Object.fromEntries(f.map((name, i) => [name, i]));
      return;
    }
    // Rows arrive roughly in time order; the earliest row seen so far is the origin. Rows are held
    // until the origin is known well enough (first flush) so late-flushed early samples still fit.
    this.pending.push(f);
    if (this.pending.length >= 50_000) this.flush();
  }

  private col(f: string[], name: string): string {
    const i = this.columns[name];
    return i === undefined ? '' : (f[i] ?? '');
  }

  private flush(): void {
    for (const f of this.pending) {
      const t = Number(this.col(f, 'timestamp'));
      if (Number.isFinite(t) && t < this.startMs) this.startMs = t;
    }
    for (const f of this.pending) this.apply(f);
    this.pending = [];
  }

  private apply(f: string[]): void {
    const metric = f[0]!;
    const t = Number(this.col(f, 'timestamp'));
    const value = Number(this.col(f, 'metric_value'));
    if (!Number.isFinite(t)) return;
    const index = Math.max(0, Math.floor((t - this.startMs) / this.bucketMs));
    while (this.buckets.length <= index) this.buckets.push(emptyBucket());
    const b = this.buckets[index]!;
    const name = this.col(f, 'name');
    switch (metric) {
      case 'http_reqs':
        bump(b.requests, name);
        bump(b.byScenario, this.col(f, 'scenario'));
        this.totals.requests++;
        break;
      case 'http_req_failed':
        if (value === 1) {
          bump(b.failures, this.col(f, 'status') || '0');
          this.totals.failures++;
        }
        break;
      case 'failed_requests': {
        const key = `${this.col(f, 'status') || '0'} ${parseTags(this.col(f, 'extra_tags'))['code'] ?? '?'}`;
        bump(b.failureCodes, key, value);
        const perEndpoint = this.failuresByEndpoint.get(name) ?? new Map<string, number>();
        bump(perEndpoint, key, value);
        this.failuresByEndpoint.set(name, perEndpoint);
        break;
      }
      case 'http_req_duration': {
        const list = b.durations.get(name);
        if (list) list.push(value);
        else b.durations.set(name, [value]);
        break;
      }
      case 'orders_placed':
        b.ordersPlaced += value;
        break;
      case 'dropped_iterations':
        b.droppedIterations += value;
        break;
      case 'vus':
        b.vus = Math.max(b.vus, value);
        break;
      case 'orders_in_state': {
        const state = parseTags(this.col(f, 'extra_tags'))['state'];
        if (!state) break;
        // One sample per state per observation; observations are seconds apart: group by second.
        const key = Math.round((t - this.startMs) / 1000);
        const counts = this.states.get(key) ?? {};
        counts[state] = value;
        this.states.set(key, counts);
        break;
      }
      default:
    }
  }

  finish(): Series {
    this.flush();
    return {
      startMs: this.startMs,
      bucketMs: this.bucketMs,
      buckets: this.buckets,
      orderStates: [...this.states.entries()]
        .sort(([a], [b]) => a - b)
        .map(([s, counts]) => ({ t: s * 1000, counts })),
      totals: this.totals,
      failuresByEndpoint: this.failuresByEndpoint,
    };
  }
}

export async function readSeries(csvPath: string, bucketMs: number): Promise<Series> {
  const builder = new SeriesBuilder(bucketMs);
  const lines = createInterface({ input: createReadStream(csvPath), crlfDelay: Infinity });
  for await (const line of lines) builder.add(line);
  return builder.finish();
}

/** The p-th percentile (0..100) of sorted values, nearest rank. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/**
 * Failed requests by `status code` (the scripts' failed_requests) in the buckets whose middle lies
 * in [fromMs, toMs) (epoch ms): the cost of one chaos strike, to the bucket.
 */
export function failuresBetween(series: Series, fromMs: number, toMs: number): Record<string, number> {
  const out: Record<string, number> = {};
  series.buckets.forEach((b, i) => {
    const middle = series.startMs + (i + 0.5) * series.bucketMs;
    if (middle < fromMs || middle >= toMs) return;
    for (const [key, n] of b.failureCodes) out[key] = (out[key] ?? 0) + n;
  });
  return out;
}

/** Highest request rate over any `windowBuckets` consecutive buckets, per second. */
export function peakRate(series: Series, windowBuckets = 1): number {
  const perBucket = series.buckets.map((b) => [...b.requests.values()].reduce((a, n) => a + n, 0));
  let best = 0;
  for (let i = 0; i + windowBuckets <= perBucket.length; i++) {
    const sum = perBucket.slice(i, i + windowBuckets).reduce((a, n) => a + n, 0);
    best = Math.max(best, sum / ((windowBuckets * series.bucketMs) / 1000));
  }
  return best;
}
