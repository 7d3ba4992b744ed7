// Soak: a steady lunch-like rate for a long time (default 30 min): leaks, growing queues, tables
// and indexes that slow down with volume, connection churn.
import { num } from './lib/env.js';
import { buildOptions } from './lib/scenario.js';

// Half the breakpoint of 2 replicas on the 2-core machine (docs/benchmarks.md); raise it elsewhere.
const RATE = num('RATE', 8);
const MINUTES = num('SOAK_MINUTES', 30);

export const options = buildOptions({
  startRate: 1,
  stages: [
    { duration: '60s', target: RATE, label: 'ramp' },
    { duration: `${MINUTES * 60}s`, target: RATE, label: 'soak' },
  ],
  riders: { start: num('RIDERS', Math.ceil(RATE * 5)) },
  drainS: 30,
});

export { setup, customers, merchants, riders, observer } from './lib/scenario.js';
export { handleSummary } from './lib/summary.js';
