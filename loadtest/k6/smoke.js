// Smoke: about a minute of the full mix at a low rate, with the same thresholds and business
// check as the real runs; CI runs it against a one-replica stack so the scripts never rot.
import { num } from './lib/env.js';
import { buildOptions } from './lib/scenario.js';

const RATE = num('RATE', 4);

export const options = buildOptions({
  startRate: 1,
  stages: [
    { duration: '10s', target: RATE, label: 'ramp' },
    { duration: '20s', target: RATE, label: 'steady' },
  ],
  riders: { start: num('RIDERS', Math.ceil(RATE * 10)) },
  drainS: 30,
});

export { setup, customers, merchants, riders, observer } from './lib/scenario.js';
export { handleSummary } from './lib/summary.js';
