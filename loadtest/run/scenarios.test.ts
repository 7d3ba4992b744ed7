import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { K6Summary } from './report-html.ts';
import { SCENARIOS, judgedFigure } from './scenarios.ts';

const summary = (metrics: Record<string, Record<string, number>>): K6Summary => ({
  metrics: Object.fromEntries(Object.entries(metrics).map(([m, values]) => [m, { values }])),
});

describe('load-test scenarios', () => {
  it('each runs a k6 script of the repository', () => {
    for (const [name, s] of Object.entries(SCENARIOS))
      expect(existsSync(path.join(import.meta.dirname, '../k6', s.script)), name).toBe(true);
  });

  it("takes the abuse run's figures from good actors, not from the abuser's flood", () => {
    // Every abuse answer is "expected" in k6: in the whole-run figures the flood dilutes the
    // good actors' failures and its fast 404s hide their latency.
    const run = summary({
      http_req_failed: { rate: 0.002 },
      'http_req_failed{actor:good}': { rate: 0.03 },
      http_req_duration: { 'p(99)': 40 },
      'http_req_duration{actor:good}': { 'p(99)': 900 },
    });
    const abuse = SCENARIOS['abuse']!;
    expect(judgedFigure(abuse, run, 'http_req_failed', 'rate')).toBe(0.03);
    expect(judgedFigure(abuse, run, 'http_req_duration', 'p(99)')).toBe(900);
    expect(judgedFigure(SCENARIOS['smoke']!, run, 'http_req_failed', 'rate')).toBe(0.002);
    expect(judgedFigure(SCENARIOS['smoke']!, run, 'http_req_duration', 'p(99)')).toBe(40);
  });

  it('reports no figure rather than the whole run when the judged submetric is missing', () => {
    expect(
      judgedFigure(SCENARIOS['abuse']!, summary({ http_req_failed: { rate: 0 } }), 'http_req_failed', 'rate'),
    ).toBeNaN();
  });
});
