import { describe, expect, it } from 'vitest';
import { errorBudget, p99Limits, type K6Summary } from './report-html.ts';

const summary = (thresholds: Record<string, Record<string, { ok: boolean }>>): K6Summary => ({
  metrics: Object.fromEntries(Object.entries(thresholds).map(([m, t]) => [m, { values: {}, thresholds: t }])),
});

describe('thresholds read back from the k6 summary', () => {
  it('takes the failed-request budget the run set, 0.1% when it set none', () => {
    expect(errorBudget(summary({ http_req_failed: { 'rate<0.01': { ok: true } } }))).toBe(0.01);
    expect(errorBudget(summary({ http_req_failed: { 'rate<1e-4': { ok: false } } }))).toBe(0.0001);
    expect(errorBudget(summary({}))).toBe(0.001);
  });

  it('takes each endpoint p99 limit', () => {
    const limits = p99Limits(
      summary({
        'http_req_duration{name:POST /v1/orders}': { 'p(99)<1500': { ok: true } },
        http_req_failed: { 'rate<0.001': { ok: true } },
      }),
    );
    expect([...limits]).toEqual([['POST /v1/orders', 1500]]);
  });
});
