/**
 * report.html: the verdict and the figures on top, then the plots an engineer reads a spike by
 * (load, latency, errors, orders by state), then the tables. One file, inline SVG, no script.
 */
import { percentile, type Series } from './k6-series.ts';
import type { ChaosKill } from './chaos.ts';
import type { Reconciliation } from './reconcile.ts';
import { lineChart, mmss, type Line } from './svg-chart.ts';

export interface K6Summary {
  metrics: Record<
    string,
    { values: Record<string, number>; thresholds?: Record<string, { ok: boolean }> } | undefined
  >;
  state?: { testRunDurationMs?: number };
  plan?: {
    totalS: number;
    startRate: number;
    phases: { label: string; fromS: number; toS: number; target: number }[];
  };
}

export interface Figures {
  peakRps: number;
  /** The window peakRps is the best of (whole buckets, about 5 s). */
  peakWindowS?: number;
  p99Ms: number;
  errorRate: number;
  ordersPlaced: number;
  lostOrders: number;
  doubledOrders: number;
  stuckOrders: number;
  unacknowledgedOrders: number;
  /** Breakpoint runs: the planned arrival rate (sessions/s) when k6 aborted, and the best 10 s of 201s. */
  breakpointRate?: number;
  maxPlacedPerS?: number;
}

export interface ReportInput {
  title: string;
  target: string;
  startedAt: string;
  verdict: { ok: boolean; reasons: string[] };
  figures: Figures;
  summary: K6Summary;
  series: Series;
  reconciliation: Reconciliation;
  /** Stuck orders fail the run (not after a breakpoint abort). */
  stuckFails: boolean;
  /** A --chaos run: the processes killed (or frozen, with --chaos-freeze) while k6 ran. */
  chaos?: { everyS: number; freezeS?: number; kills: ChaosKill[] };
}

const ACTIVE = ['PLACED', 'ACCEPTED', 'READY_FOR_PICKUP', 'RIDER_ASSIGNED', 'PICKED_UP'];
const DONE = ['DELIVERED', 'REJECTED', 'CANCELLED'];

const esc = (s: string) =>
  s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
const f = (n: number | undefined, digits = 0) =>
  n === undefined || !Number.isFinite(n) ? '-' : n.toFixed(digits);

/** `http_req_duration{name:X}` thresholds: endpoint -> p99 limit (ms). */
export function p99Limits(summary: K6Summary): Map<string, number> {
  const limits = new Map<string, number>();
  for (const [metric, m] of Object.entries(summary.metrics)) {
    const name = /^http_req_duration\{name:(.+)\}$/.exec(metric)?.[1];
    for (const expr of Object.keys(m?.thresholds ?? {})) {
      const limit = /^p\(99\)<(\d+(?:\.\d+)?)$/.exec(expr)?.[1];
      if (name && limit) limits.set(name, Number(limit));
    }
  }
  return limits;
}

/** The `http_req_failed` threshold (`rate<X`): 0.001 unless the run set MAX_ERROR_RATE. */
export function errorBudget(summary: K6Summary): number {
  for (const expr of Object.keys(summary.metrics['http_req_failed']?.thresholds ?? {})) {
    const limit = /^rate<(\d+(?:\.\d+)?(?:e-?\d+)?)$/.exec(expr)?.[1];
    if (limit) return Number(limit);
  }
  return 0.001;
}

function charts(input: ReportInput): string[] {
  const { series, summary } = input;
  const sec = series.bucketMs / 1000;
  const x = (i: number) => (i + 0.5) * sec;
  const per = (pick: (b: Series['buckets'][number]) => number): [number, number][] =>
    series.buckets.map((b, i) => [x(i), pick(b) / sec]);
  const sum = (m: Map<string, number>) => [...m.values()].reduce((a, n) => a + n, 0);
  const marks = [
    ...(summary.plan?.phases ?? []).map((p) => [p.fromS, p.label] as const),
    // Kill times count from k6's start, the series from its first sample: close enough to read by.
    ...(input.chaos?.kills ?? []).map(
      (k) => [k.atS, `${input.chaos?.freezeS === undefined ? 'kill' : 'freeze'} ${k.victim}`] as const,
    ),
  ];
  const out: string[] = [];

  const planned: Line | undefined = summary.plan
    ? {
        name: 'planned sessions/s',
        dashed: true,
        color: '#999',
        points: summary.plan.phases.flatMap((p, i, all) => {
          const from = i === 0 ? (summary.plan?.startRate ?? 0) : (all[i - 1]?.target ?? 0);
          return [
            [p.fromS, p.label === 'drain' ? 0 : from],
            [p.toS, p.target],
          ] as [number, number][];
        }),
      }
    : undefined;
  out.push(
    lineChart({
      title: 'Arrival rate: customer sessions started (one order each) and orders placed',
      yLabel: 'per second',
      marks,
      lines: [
        ...(planned ? [planned] : []),
        { name: 'sessions started/s', points: per((b) => b.requests.get('GET /v1/merchants') ?? 0) },
        { name: 'orders placed/s (201)', points: per((b) => b.ordersPlaced) },
        {
          name: 'not started/s (no free VU)',
          points: per((b) => b.droppedIterations),
          color: '#d62728',
        },
      ],
    }),
  );
  const scenarios = [...new Set(series.buckets.flatMap((b) => [...b.byScenario.keys()]))].sort();
  out.push(
    lineChart({
      title: 'Requests per second, by actor',
      yLabel: 'requests/s',
      marks,
      lines: [
        { name: 'all', points: per((b) => sum(b.requests)), color: '#222' },
        ...scenarios.map((s) => ({ name: s, points: per((b) => b.byScenario.get(s) ?? 0) })),
      ],
    }),
  );
  const all = series.buckets.map((b) => [...b.durations.values()].flat().sort((a, c) => a - c));
  out.push(
    lineChart({
      title: 'Latency of all requests',
      yLabel: 'ms',
      marks,
      lines: [50, 90, 99].map((p) => ({
        name: `p${p}`,
        points: all.map((d, i) => [x(i), d.length ? percentile(d, p) : NaN] as [number, number]),
      })),
    }),
  );
  // By status and error code when the scripts recorded them (failed_requests), else by status.
  const withCodes = series.buckets.some((b) => b.failureCodes.size > 0);
  const failureMap = (b: Series['buckets'][number]) => (withCodes ? b.failureCodes : b.failures);
  const kinds = [...new Set(series.buckets.flatMap((b) => [...failureMap(b).keys()]))].sort();
  out.push(
    lineChart({
      title: `Failed requests per second, by status${withCodes ? ' and error code' : ''} (0 = no answer)`,
      yLabel: 'failed/s',
      marks,
      lines: kinds.length
        ? kinds.map((k) => ({
            name: withCodes ? k : `status ${k}`,
            points: per((b) => failureMap(b).get(k) ?? 0),
          }))
        : [{ name: 'no failed request', points: per(() => 0), color: '#2ca02c' }],
    }),
  );
  const first = series.orderStates[0]?.counts ?? {};
  const state = (name: string): Line => ({
    name,
    points: series.orderStates.map(
      (s) => [s.t / 1000, (s.counts[name] ?? 0) - (first[name] ?? 0)] as [number, number],
    ),
  });
  out.push(
    lineChart({
      title: 'Orders in progress, by state (ops counts, minus the first sample)',
      yLabel: 'orders',
      marks,
      lines: ACTIVE.map(state),
    }),
    lineChart({
      title: 'Orders finished, by state (cumulative)',
      yLabel: 'orders',
      marks,
      lines: DONE.map(state),
    }),
  );
  return out;
}

function endpointCharts(input: ReportInput): string[] {
  const { series } = input;
  const limits = p99Limits(input.summary);
  const sec = series.bucketMs / 1000;
  const names = [...new Set(series.buckets.flatMap((b) => [...b.durations.keys()]))].sort();
  return names.map((name) => {
    const sorted = series.buckets.map((b) => [...(b.durations.get(name) ?? [])].sort((a, c) => a - c));
    const limit = limits.get(name);
    return lineChart({
      title: name,
      yLabel: 'ms',
      width: 370,
      height: 170,
      ...(limit ? { limit: { y: limit, label: `p99 < ${limit}` } } : {}),
      lines: [50, 90, 99].map((p) => ({
        name: `p${p}`,
        points: sorted.map(
          (d, i) => [(i + 0.5) * sec, d.length ? percentile(d, p) : NaN] as [number, number],
        ),
      })),
    });
  });
}

/** `37: 504 UPSTREAM_TIMEOUT 30, 0 ? 7`, the most frequent first; `0` for none. */
function failedCell(failed: Record<string, number> | undefined): string {
  const entries = Object.entries(failed ?? {}).sort(([, a], [, b]) => b - a);
  const total = entries.reduce((a, [, n]) => a + n, 0);
  return total ? `${total}: ${entries.map(([code, n]) => `${esc(code)} ${n}`).join(', ')}` : '0';
}

export function chaosTable(chaos: NonNullable<ReportInput['chaos']>): string {
  const freeze = chaos.freezeS !== undefined;
  const rows = chaos.kills.map(
    (k) =>
      `<tr${k.recoveredAfterS === undefined ? ' class="bad"' : ''}><td>${mmss(k.atS)}</td><td>${esc(k.victim)}</td>` +
      `<td>${k.pid ?? '-'}</td>${freeze ? `<td>${k.resumedAtS === undefined ? '-' : mmss(k.resumedAtS)}</td>` : ''}` +
      `<td>${k.recoveredAfterS === undefined ? 'never' : f(k.recoveredAfterS, 1)}</td><td>${failedCell(k.failed)}</td></tr>`,
  );
  const title = freeze
    ? `one replica frozen (SIGSTOP) for ${f(chaos.freezeS)} s, then resumed (SIGCONT), ${f(chaos.everyS)} s after the last was ready again`
    : `one process killed (SIGKILL) every ${f(chaos.everyS)} s and restarted (replicas by the supervisor, servers by scripts/infra up)`;
  const head = freeze
    ? '<th>frozen at</th><th>process</th><th>pid</th><th>resumed at</th><th>ready again after (s, from the freeze)</th>'
    : '<th>at</th><th>process</th><th>pid</th><th>ready again after (s)</th>';
  const columns = freeze ? 6 : 5;
  return `
<h2>Chaos: ${title}</h2>
<table><tr>${head}<th>failed requests until the next strike (by status and code, in whole buckets)</th></tr>
${rows.join('\n') || `<tr><td colspan="${columns}">no ${freeze ? 'freeze' : 'kill'}: the run ended before the first</td></tr>`}
</table>`;
}

function tables(input: ReportInput): string {
  const { summary, series, reconciliation: r } = input;
  const thresholdRows = Object.entries(summary.metrics).flatMap(([metric, m]) =>
    Object.entries(m?.thresholds ?? {}).map(([expr, t]) => ({ metric, expr, ok: t.ok })),
  );
  const failuresBy = new Map<string, number>();
  for (const b of series.buckets)
    for (const [s, n] of b.failures) failuresBy.set(s, (failuresBy.get(s) ?? 0) + n);
  const endpoints = Object.entries(summary.metrics)
    .map(([metric, m]) => ({
      name: /^http_req_duration\{name:(.+)\}$/.exec(metric)?.[1],
      v: m?.values ?? {},
    }))
    .filter((e): e is { name: string; v: Record<string, number> } => Boolean(e.name))
    .sort((a, b) => (b.v['count'] ?? 0) - (a.v['count'] ?? 0));
  const limits = p99Limits(summary);
  const row = (cells: string[], cls = '') =>
    `<tr${cls ? ` class="${cls}"` : ''}>${cells.map((c) => `<td>${c}</td>`).join('')}</tr>`;
  return `
<h2>Business check</h2>
<table>
${row(['sessions that tried to order', f(r.sessions)])}
${row(['orders acknowledged (201)', f(r.acknowledged)])}
${row(['found on the platform', f(r.found)])}
${row(['lost (201, then missing)', f(r.lost.length)], r.lost.length ? 'bad' : '')}
${row(['doubled (more orders than keys)', f(r.doubled.length)], r.doubled.length ? 'bad' : '')}
${row([`stuck (not terminal after the drain)${input.stuckFails ? '' : ', not enforced after a breakpoint abort'}`, f(r.stuck.length)], r.stuck.length && input.stuckFails ? 'bad' : '')}
${row(['on the platform without a 201 seen by the client', f(r.unacknowledged)])}
${row([
  'final states',
  esc(
    Object.entries(r.byState)
      .map(([s, n]) => `${s} ${n}`)
      .join(', '),
  ),
])}
</table>
${r.lost.length ? `<p>Lost: ${r.lost.slice(0, 20).map(esc).join(', ')}</p>` : ''}
${
  r.stuck.length
    ? `<p>Stuck: ${r.stuck
        .slice(0, 20)
        .map((o) => `${esc(o.id)} (${o.state})`)
        .join(', ')}</p>`
    : ''
}
${input.chaos ? chaosTable(input.chaos) : ''}
<h2>Thresholds</h2>
<table><tr><th>metric</th><th>threshold</th><th>result</th></tr>
${thresholdRows.map((t) => row([esc(t.metric), esc(t.expr), t.ok ? 'pass' : 'FAIL'], t.ok ? '' : 'bad')).join('\n')}
</table>
<h2>Latency by endpoint (whole run, ms)</h2>
<table><tr><th>endpoint</th><th>requests</th><th>p50</th><th>p90</th><th>p95</th><th>p99</th><th>p99 limit</th><th>max</th></tr>
${endpoints
  .map((e) => {
    // An endpoint the run never called has no latency: '-', not 0.0 (its limit held vacuously).
    const called = (e.v['count'] ?? 0) > 0;
    const ms = (key: string) => (called ? f(e.v[key], 1) : '-');
    return row(
      [
        esc(e.name),
        f(e.v['count']),
        ms('med'),
        ms('p(90)'),
        ms('p(95)'),
        ms('p(99)'),
        f(limits.get(e.name)),
        ms('max'),
      ],
      (e.v['p(99)'] ?? 0) >= (limits.get(e.name) ?? Infinity) ? 'bad' : '',
    );
  })
  .join('\n')}
</table>
<h2>Failed requests by status</h2>
<table><tr><th>status</th><th>requests</th></tr>
${[...failuresBy].map(([s, n]) => row([s === '0' ? '0 (no answer)' : s, f(n)])).join('\n') || row(['none', '0'])}
</table>
${
  series.failuresByEndpoint.size
    ? `<h2>Failed requests by endpoint and error code</h2>
<table><tr><th>endpoint</th><th>status and code</th><th>requests</th></tr>
${[...series.failuresByEndpoint]
  .flatMap(([name, codes]) => [...codes].map(([code, n]) => ({ name, code, n })))
  .sort((a, b) => b.n - a.n)
  .map((e) => row([esc(e.name), esc(e.code), f(e.n)]))
  .join('\n')}
</table>`
    : ''
}`;
}

export function renderReport(input: ReportInput): string {
  const fig = input.figures;
  const figure = (label: string, value: string, bad = false) =>
    `<div class="fig${bad ? ' badfig' : ''}"><div class="v">${value}</div><div class="l">${esc(label)}</div></div>`;
  const duration = (input.summary.state?.testRunDurationMs ?? 0) / 1000;
  return `<!doctype html><html><head><meta charset="utf-8"><title>${esc(input.title)}</title><style>
body{font:14px/1.45 system-ui,sans-serif;margin:24px;color:#222;max-width:1560px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:16px;margin:28px 0 8px}.sub{color:#666}
.verdict{display:inline-block;padding:4px 12px;border-radius:4px;color:#fff;font-weight:700;margin-right:8px}
.pass{background:#17803d}.fail{background:#c62828}
.figs{display:flex;flex-wrap:wrap;gap:12px;margin:16px 0}.fig{border:1px solid #ddd;border-radius:6px;padding:8px 14px;min-width:120px}
.fig .v{font-size:22px;font-weight:700}.fig .l{color:#666;font-size:12px}.badfig{border-color:#c62828}.badfig .v{color:#c62828}
.charts{display:flex;flex-wrap:wrap;gap:8px}.small{display:flex;flex-wrap:wrap;gap:4px}
table{border-collapse:collapse;margin:6px 0 16px}td,th{border:1px solid #ddd;padding:3px 8px;text-align:right}
th{background:#f4f4f4}td:first-child,th:first-child{text-align:left}tr.bad td{color:#c62828;font-weight:600}
</style></head><body>
<h1><span class="verdict ${input.verdict.ok ? 'pass">PASS' : 'fail">FAIL'}</span>${esc(input.title)}</h1>
<div class="sub">${esc(input.target)} · started ${esc(input.startedAt)} · ${mmss(duration)} of load${
    input.verdict.reasons.length ? ` · <b>${input.verdict.reasons.map(esc).join('; ')}</b>` : ''
  }</div>
<div class="figs">
${figure('peak requests/s (best ' + f(fig.peakWindowS ?? input.series.bucketMs / 1000) + ' s)', f(fig.peakRps))}
${figure('p99, all requests (ms)', f(fig.p99Ms))}
${figure('failed requests', `${f(fig.errorRate * 100, 3)} %`, fig.errorRate >= errorBudget(input.summary))}
${figure('orders placed (201)', f(fig.ordersPlaced))}
${figure('lost orders', f(fig.lostOrders), fig.lostOrders > 0)}
${figure('doubled orders', f(fig.doubledOrders), fig.doubledOrders > 0)}
${figure('stuck orders', f(fig.stuckOrders), input.stuckFails && fig.stuckOrders > 0)}
${fig.breakpointRate !== undefined ? figure('breakpoint: sessions/s at abort', f(fig.breakpointRate, 1)) : ''}
${fig.maxPlacedPerS !== undefined ? figure('best 10 s of orders placed/s', f(fig.maxPlacedPerS, 1)) : ''}
</div>
<div class="charts">${charts(input).join('\n')}</div>
<h2>Latency by endpoint over time (p50, p90, p99; dashed red: the p99 threshold)</h2>
<div class="small">${endpointCharts(input).join('\n')}</div>
${tables(input)}
<p class="sub">Time axis: m:ss since k6 started; buckets of ${f(input.series.bucketMs / 1000)} s. Orders by state are the
platform-wide counts (GET /v1/ops/orders/counts) minus the first sample. How to read this report:
docs/loadtesting.md#reading-the-report.</p>
</body></html>`;
}
