import { REPORT_DIR } from './env.js';
import { currentPlan } from './scenario.js';

/**
 * End of run: summary.json (k6's whole summary, for the runner and for diffing runs), summary.html
 * (the aggregates on one page: thresholds and per-endpoint latency) and a short text on stdout.
 * The time series (arrival rate, latency over time, errors, orders by state) are not in the
 * summary; the runner builds them from k6's streamed output into report.html (docs/loadtesting.md).
 */
export function handleSummary(data) {
  return {
    // `plan`: the scenario's phases, so the report can mark them on every chart.
    [`${REPORT_DIR}/summary.json`]: JSON.stringify({ ...data, plan: currentPlan() }, null, 1),
    [`${REPORT_DIR}/summary.html`]: summaryHtml(data),
    stdout: summaryText(data),
  };
}

const fmt = (n, digits = 0) => (n === undefined || n === null || Number.isNaN(n) ? '-' : n.toFixed(digits));
const esc = (s) =>
  String(s).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);

/** Every threshold with its verdict: [metric, expression, ok]. */
export function thresholdResults(data) {
  const out = [];
  for (const [metric, m] of Object.entries(data.metrics))
    for (const [expr, t] of Object.entries(m.thresholds ?? {})) out.push([metric, expr, t.ok]);
  return out;
}

/** Per endpoint (the `name` submetrics the thresholds create): count and latency percentiles. */
function endpointRows(data) {
  const rows = [];
  for (const [metric, m] of Object.entries(data.metrics)) {
    const match = /^http_req_duration\{name:(.+)\}$/.exec(metric);
    if (match) rows.push({ name: match[1], ...m.values });
  }
  return rows.sort((a, b) => (b.count ?? 0) - (a.count ?? 0));
}

const value = (data, metric, key) => data.metrics[metric]?.values?.[key];

function headline(data) {
  return [
    ['duration', `${fmt((data.state?.testRunDurationMs ?? 0) / 1000)} s`],
    ['requests', `${fmt(value(data, 'http_reqs', 'count'))} (${fmt(value(data, 'http_reqs', 'rate'), 1)}/s)`],
    ['failed requests', `${fmt((value(data, 'http_req_failed', 'rate') ?? 0) * 100, 3)} %`],
    ['orders placed (201)', fmt(value(data, 'orders_placed', 'count'))],
    ['orders not placed', fmt(value(data, 'orders_refused', 'count') ?? 0)],
    ['placement retries', fmt(value(data, 'order_retries', 'count') ?? 0)],
    ['deliveries', fmt(value(data, 'orders_delivered_by_riders', 'count') ?? 0)],
    ['sessions not started (no free VU)', fmt(value(data, 'dropped_iterations', 'count') ?? 0)],
  ];
}

function summaryText(data) {
  const results = thresholdResults(data);
  const failed = results.filter(([, , ok]) => !ok);
  const lines = [
    '',
    `thresholds: ${results.length - failed.length} passed, ${failed.length} failed`,
    ...failed.map(([metric, expr]) => `  FAILED ${metric} ${expr}`),
    ...headline(data).map(([k, v]) => `${k.padEnd(34)} ${v}`),
    '',
    `${'endpoint'.padEnd(40)} ${'count'.padStart(7)} ${'p50'.padStart(7)} ${'p90'.padStart(7)} ${'p99'.padStart(7)} ${'max'.padStart(7)}`,
    ...endpointRows(data).map(
      (r) =>
        `${r.name.padEnd(40)} ${fmt(r.count).padStart(7)} ${fmt(r.med).padStart(7)} ${fmt(r['p(90)']).padStart(7)} ${fmt(r['p(99)']).padStart(7)} ${fmt(r.max).padStart(7)}`,
    ),
    '',
  ];
  return lines.join('\n');
}

export const STYLE = `body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#222}table{border-collapse:collapse;margin:8px 0 20px}
td,th{border:1px solid #ddd;padding:4px 8px;text-align:right}th{background:#f4f4f4}td:first-child,th:first-child{text-align:left}
.ok{color:#17803d;font-weight:600}.bad{color:#c62828;font-weight:600}h1{font-size:20px}h2{font-size:16px;margin-top:24px}`;

function summaryHtml(data) {
  const results = thresholdResults(data);
  const failed = results.filter(([, , ok]) => !ok).length;
  const verdict =
    failed === 0
      ? '<span class="ok">all thresholds passed</span>'
      : `<span class="bad">${failed} threshold(s) failed</span>`;
  return `<!doctype html><html><head><meta charset="utf-8"><title>k6 summary</title><style>${STYLE}</style></head><body>
<h1>k6 summary: ${verdict}</h1>
<table>${headline(data)
    .map(([k, v]) => `<tr><td>${esc(k)}</td><td>${esc(v)}</td></tr>`)
    .join('')}</table>
<h2>Thresholds</h2><table><tr><th>metric</th><th>threshold</th><th>result</th></tr>${results
    .map(
      ([metric, expr, ok]) =>
        `<tr><td>${esc(metric)}</td><td>${esc(expr)}</td><td class="${ok ? 'ok' : 'bad'}">${ok ? 'pass' : 'FAIL'}</td></tr>`,
    )
    .join('')}</table>
<h2>Latency by endpoint (ms)</h2><table><tr><th>endpoint</th><th>count</th><th>p50</th><th>p90</th><th>p95</th><th>p99</th><th>max</th></tr>${endpointRows(
    data,
  )
    .map(
      (r) =>
        `<tr><td>${esc(r.name)}</td><td>${fmt(r.count)}</td><td>${fmt(r.med, 1)}</td><td>${fmt(r['p(90)'], 1)}</td><td>${fmt(r['p(95)'], 1)}</td><td>${fmt(r['p(99)'], 1)}</td><td>${fmt(r.max, 1)}</td></tr>`,
    )
    .join('')}</table>
</body></html>`;
}
