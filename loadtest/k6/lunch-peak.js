// Lunch peak: a base rate, a climb to 10x within a minute, a plateau, a fall back, then a drain.
//   k6 run -e BASE_URL=http://127.0.0.1:8080 loadtest/k6/lunch-peak.js      (docs/loadtesting.md)
// Rates are customer sessions per second; each session places one order. Give PEAK_RATE or
// BASE_RATE (the other follows at 10x); the default peak, 12, is about 75% of the breakpoint of
// 2 replicas on the 2-core machine this is built on (docs/benchmarks.md): raise it on real hardware.
import { num } from './lib/env.js';
import { buildOptions } from './lib/scenario.js';

const GIVEN_PEAK = num('PEAK_RATE', undefined);
const GIVEN_BASE = num('BASE_RATE', undefined);
const PEAK = GIVEN_PEAK ?? (GIVEN_BASE === undefined ? 12 : GIVEN_BASE * 10);
const BASE = GIVEN_BASE ?? PEAK / 10;
const BASE_S = num('BASE_S', 60);
const CLIMB_S = num('CLIMB_S', 60);
const PLATEAU_S = num('PLATEAU_S', 60);
const FALL_S = num('FALL_S', 30);

export const options = buildOptions({
  startRate: BASE,
  stages: [
    // The late morning; also warms the stack up (JIT, pools, consumer groups) before the climb.
    { duration: `${BASE_S}s`, target: BASE, label: 'base' },
    { duration: `${CLIMB_S}s`, target: PEAK, label: 'climb' }, // noon: 10x within a minute
    { duration: `${PLATEAU_S}s`, target: PEAK, label: 'peak' },
    { duration: `${FALL_S}s`, target: BASE, label: 'fall' }, // back to normal
  ],
  // Riders log in for lunch: the fleet grows during the climb (docs: sizing the fleet).
  riders: {
    start: num('RIDERS_BASE', Math.ceil(BASE * 15)),
    peak: num('RIDERS', Math.ceil(PEAK * 5)),
    rampAfter: `${Math.max(0, BASE_S - 10)}s`,
    ramp: `${CLIMB_S}s`,
  },
  drainS: 30,
});

export { setup, customers, merchants, riders, observer } from './lib/scenario.js';
export { handleSummary } from './lib/summary.js';
