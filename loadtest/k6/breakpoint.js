// Breakpoint: after a warm-up at the starting rate, the arrival rate climbs steadily until a
// threshold breaks; k6 then aborts (abortOnFail) and the runner reports the rate reached. No drain:
// the business check after a breakpoint run looks for lost and doubled orders only.
//
// The warm-up is there because a cold stack (JIT, connection pools, consumer groups settling)
// sheds load at rates it carries easily a minute later; the breakpoint is that of a warm platform.
import { num } from './lib/env.js';
import { buildOptions } from './lib/scenario.js';

const FROM = num('FROM_RATE', 5);
const TO = num('MAX_RATE', 150);
const WARMUP_S = num('WARMUP_S', 60);
const RAMP_S = num('RAMP_S', 600);

export const options = buildOptions({
  startRate: FROM,
  stages: [
    ...(WARMUP_S > 0 ? [{ duration: `${WARMUP_S}s`, target: FROM, label: 'warm-up' }] : []),
    { duration: `${RAMP_S}s`, target: TO, label: 'climb' },
  ],
  // The fleet grows with the rate, so riders are never the bottleneck being measured.
  riders: {
    start: num('RIDERS_BASE', Math.ceil(FROM * 6)),
    peak: num('RIDERS', Math.ceil(TO * 4)),
    rampAfter: `${WARMUP_S}s`,
    ramp: `${RAMP_S}s`,
  },
  drainS: 5,
  abortOnFail: true,
});

export { setup, customers, merchants, riders, observer } from './lib/scenario.js';
export { handleSummary } from './lib/summary.js';
