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
   * The k6 metric whose rate is the run's "failed requests" figure: the whole run's unless the
   * scenario sends traffic that is not to be judged (abuse: the good actors' requests only).
   */
  errorRateMetric?: string;
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
    errorRateMetric: 'http_req_failed{actor:good}',
  },
};

/** The run's share of failed requests, by the scenario's metric (NaN when k6 recorded none). */
export function errorRate(scenario: Scenario, summary: K6Summary): number {
  return summary.metrics[scenario.errorRateMetric ?? 'http_req_failed']?.values['rate'] ?? NaN;
}
