import exec from 'k6/execution';
import { customerSession } from './customer.js';
import { thresholds } from './endpoints.js';
import { MERCHANT_IDS, num, runIdFromEnv } from './env.js';
import { merchantShift } from './merchant.js';
import { observe } from './observer.js';
import { riderShift } from './rider.js';

/**
 * The shape every scenario shares (docs/loadtesting.md):
 * - customers: an open model (ramping-arrival-rate): sessions start at the planned rate however
 *   slow the platform gets, so a slow platform shows as latency and errors, never as less load;
 * - merchants: one VU per demo merchant for the whole run;
 * - riders: a fleet of VUs, optionally growing before the peak (riders log in for lunch; a fleet
 *   never shrinks mid-run, so no order is left with a stopped rider);
 * - observer: orders by state every few seconds;
 * - drain: after the last customer stage, `drainS` seconds at rate 0 in which merchants and riders
 *   finish what was ordered. Riders take no new offer in the last `riderStopS` seconds.
 */
let plan = { totalS: 0, riderStopS: 10, startRate: 0, phases: [] };

const perTenSeconds = (perSecond) => Math.round(perSecond * 10);

const seconds = (duration) => {
  const m = /^(\d+(?:\.\d+)?)(s|m|h)$/.exec(duration);
  if (!m) throw new Error(`durations are written like 30s, 2m or 1h, got "${duration}"`);
  return Number(m[1]) * { s: 1, m: 60, h: 3600 }[m[2]];
};

/**
 * @param {{
 *   startRate: number,
 *   stages: { duration: string, target: number, label?: string }[],
 *   riders: { start: number, peak?: number, rampAfter?: string, ramp?: string },
 *   drainS?: number,
 *   sessionSeconds?: number,
 *   abortOnFail?: boolean,
 * }} spec rates in customer sessions (= orders) per second
 */
export function buildOptions(spec) {
  // The drain's last stage lasts drainS - 1 seconds: at least 1.
  const drainS = num('DRAIN_S', spec.drainS ?? 30, { min: 1 });
  const mainS = spec.stages.reduce((sum, s) => sum + seconds(s.duration), 0);
  const totalS = mainS + drainS;
  const phases = [];
  let at = 0;
  for (const s of spec.stages) {
    phases.push({ label: s.label ?? '', fromS: at, toS: at + seconds(s.duration), target: s.target });
    at += seconds(s.duration);
  }
  phases.push({ label: 'drain', fromS: mainS, toS: totalS, target: 0 });
  plan = { totalS, riderStopS: Math.min(8, drainS / 3), startRate: spec.startRate, phases };
  const peakRate = Math.max(spec.startRate, ...spec.stages.map((s) => s.target));
  const sessionS = spec.sessionSeconds ?? 8;
  const peakRiders = spec.riders.peak ?? spec.riders.start;
  const rampAfterS = seconds(spec.riders.rampAfter ?? '0s');
  const rampS = seconds(spec.riders.ramp ?? '1s');
  const actorMax = `${totalS + 5}s`;

  return {
    scenarios: {
      customers: {
        executor: 'ramping-arrival-rate',
        exec: 'customers',
        // k6 takes whole numbers of arrivals per timeUnit: per 10 s allows rates like 1.2/s.
        startRate: perTenSeconds(spec.startRate),
        timeUnit: '10s',
        preAllocatedVUs: Math.ceil(peakRate * sessionS) + 5,
        maxVUs: Math.ceil(peakRate * sessionS * 3) + 20,
        // A stage ramps linearly to its target: stop arrivals within a second, then hold at 0.
        stages: [
          ...spec.stages.map((s) => ({ duration: s.duration, target: perTenSeconds(s.target) })),
          { duration: '1s', target: 0 },
          { duration: `${drainS - 1}s`, target: 0 },
        ],
        gracefulStop: '20s',
      },
      merchants: {
        executor: 'per-vu-iterations',
        exec: 'merchants',
        vus: MERCHANT_IDS.length,
        iterations: 1,
        maxDuration: actorMax,
      },
      riders:
        peakRiders > spec.riders.start
          ? {
              executor: 'ramping-vus',
              exec: 'riders',
              startVUs: spec.riders.start,
              stages: [
                { duration: `${rampAfterS}s`, target: spec.riders.start },
                { duration: `${rampS}s`, target: peakRiders },
                { duration: `${Math.max(1, totalS - rampAfterS - rampS)}s`, target: peakRiders },
              ],
              gracefulRampDown: '0s',
              gracefulStop: '15s',
            }
          : {
              executor: 'per-vu-iterations',
              exec: 'riders',
              vus: spec.riders.start,
              iterations: 1,
              maxDuration: actorMax,
            },
      observer: {
        executor: 'per-vu-iterations',
        exec: 'observer',
        vus: 1,
        iterations: 1,
        maxDuration: actorMax,
      },
    },
    thresholds: thresholds({ abortOnFail: spec.abortOnFail ?? false }),
    // Only the tags the report and the thresholds use: smaller output, fewer time series.
    systemTags: ['status', 'method', 'name', 'scenario', 'expected_response', 'error_code'],
    summaryTrendStats: ['avg', 'min', 'med', 'p(90)', 'p(95)', 'p(99)', 'max', 'count'],
    batchPerHost: 20,
    setupTimeout: '30s',
  };
}

/** The phases of the customer arrival rate (for the report's markers), as handleSummary records them. */
export const currentPlan = () => plan;

const endAt = () => exec.scenario.startTime + plan.totalS * 1000;

export function setup() {
  return { runId: runIdFromEnv() };
}

export function customers(data) {
  customerSession(data);
}

export function merchants() {
  merchantShift(endAt());
}

export function riders(data) {
  riderShift(data, { endAt: endAt(), acceptUntil: endAt() - plan.riderStopS * 1000 });
}

export function observer() {
  observe(endAt());
}
