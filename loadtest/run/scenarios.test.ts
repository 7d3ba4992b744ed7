import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { K6Summary } from './report-html.ts';
import { SCENARIOS, errorRate } from './scenarios.ts';

const summary = (metrics: Record<string, number>): K6Summary => ({
  metrics: Object.fromEntries(Object.entries(metrics).map(([m, rate]) => [m, { values: { rate } }])),
});

describe('load-test scenarios', () => {
  it('each runs a k6 script of the repository', () => {
    for (const [name, s] of Object.entries(SCENARIOS))
      expect(existsSync(path.join(import.meta.dirname, '../k6', s.script)), name).toBe(true);
  });

  it("judges the abuse run on good actors: the abuser's requests are not the run's error rate", () => {
    // Every abuse answer is "expected" in k6, so the whole-run rate is diluted by the flood.
    const run = summary({ http_req_failed: 0.002, 'http_req_failed{actor:good}': 0.03 });
    expect(errorRate(SCENARIOS['abuse']!, run)).toBe(0.03);
    expect(errorRate(SCENARIOS['smoke']!, run)).toBe(0.002);
  });

  it('reports no error rate rather than a made-up one when k6 recorded none', () => {
    expect(errorRate(SCENARIOS['abuse']!, summary({ http_req_failed: 0 }))).toBeNaN();
  });
});
