import type { K6Summary } from './report-html.ts';

/** A scenario of `pnpm loadtest:<name>` (docs/loadtesting.md). */
export interface Scenario {
  script: string;
  title: string;
  replicas: number;
  bucketS: number;
  /** Stuck orders fail the run; not after a breakpoint, which aborts mid-flight by design. */
  stuckFails: boolean;
  /** k6 settings of this scenario; -e NAME=value still wins. */
  env?: Record<string, string>;
  /**
   * The requests the run's figures (failed requests, p99) are taken from, as a k6 tag selector:
   * every request unless the scenario sends traffic that is not to be judged (abuse: good actors).
   * The script must keep that submetric (a threshold on it).
   */
  judged?: string;
}

export const SCENARIOS: Record<string, Scenario> = {
  smoke: {
    script: 'smoke.js',
    title: 'Smoke',
    replicas: 1,
    bucketS: 2,
    stuckFails: true,
    // A hundred orders or so: at the default 1% and 3% a merchant's reject and a rider's decline
    // happened once or not at all per run, so their paths went untested.
    env: { MERCHANT_REJECT_SHARE: '0.05', RIDER_DECLINE_SHARE: '0.15' },
  },
  lunch: { script: 'lunch-peak.js', title: 'Lunch peak', replicas: 2, bucketS: 5, stuckFails: true },
  soak: { script: 'soak.js', title: 'Soak', replicas: 2, bucketS: 30, stuckFails: true },
  breakpoint: { script: 'breakpoint.js', title: 'Breakpoint', replicas: 1, bucketS: 5, stuckFails: false },
  // One replica, as the figures in docs/benchmarks.md ("Admission under abusive traffic") were
  // measured. The abuser's refusals are its purpose: abuse.js judges good actors per route.
  abuse: {
    script: 'abuse.js',
    title: 'Abusive traffic',
    replicas: 1,
    bucketS: 2,
    stuckFails: true,
    judged: 'actor:good',
  },
};

/**
 * A figure of the judged requests (`http_req_failed` `rate`, `http_req_duration` `p(99)`), NaN
 * when k6 recorded none.
 */
export function judgedFigure(scenario: Scenario, summary: K6Summary, metric: string, key: string): number {
  const name = scenario.judged === undefined ? metric : `${metric}{${scenario.judged}}`;
  return summary.metrics[name]?.values[key] ?? NaN;
}
