import { sleep } from 'k6';
import { Gauge } from 'k6/metrics';
import { json, request } from './api.js';
import { ENDPOINTS as E } from './endpoints.js';
import { num } from './env.js';
import { token } from './jwt.js';

/** Orders by state, platform-wide (GET /v1/ops/orders/counts), sampled into the k6 stream. */
const inState = new Gauge('orders_in_state');
const EVERY_S = num('OBSERVE_EVERY_S', 2);
export const STATES = [
  'PLACED',
  'ACCEPTED',
  'READY_FOR_PICKUP',
  'RIDER_ASSIGNED',
  'PICKED_UP',
  'DELIVERED',
  'REJECTED',
  'CANCELLED',
];

/**
 * An ops dashboard for the whole scenario (one VU): every few seconds, how many orders are in each
 * state. The runner plots it; the counts are platform-wide, so the report subtracts the first
 * sample (a shared environment's earlier orders).
 */
export function observe(endAt) {
  const auth = token('ops', 'loadtest-observer');
  while (Date.now() < endAt) {
    const started = Date.now();
    const counts = json(request('GET', '/v1/ops/orders/counts', { token: auth, endpoint: E.counts }))?.counts;
    if (counts) for (const state of STATES) inState.add(counts[state] ?? 0, { state });
    sleep(Math.max(0.1, EVERY_S - (Date.now() - started) / 1000));
  }
}
