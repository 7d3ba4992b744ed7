import { MAX_ERROR_RATE, P99_SCALE } from './env.js';

/**
 * Every endpoint the load test calls, by the `name` tag its requests carry (the route template, so
 * ids do not split the metrics), with the p99 (ms) that fails the run. The limits are what a client
 * app may expect at lunch peak from the replica mode on a 2-core machine; P99_SCALE scales them all.
 */
export const ENDPOINTS = {
  browse: { name: 'GET /v1/merchants', p99: 800 },
  menu: { name: 'GET /v1/merchants/{id}', p99: 800 },
  place: { name: 'POST /v1/orders', p99: 1500 },
  order: { name: 'GET /v1/orders/{id}', p99: 800 },
  tracking: { name: 'GET /v1/orders/{id}/tracking', p99: 800 },
  merchantOrders: { name: 'GET /v1/merchant/orders', p99: 1000 },
  merchantAccept: { name: 'POST /v1/merchant/orders/{id}/accept', p99: 1500 },
  merchantReject: { name: 'POST /v1/merchant/orders/{id}/reject', p99: 1500 },
  merchantReady: { name: 'POST /v1/merchant/orders/{id}/ready', p99: 1500 },
  shift: { name: 'POST /v1/rider/shift', p99: 1500 },
  positions: { name: 'POST /v1/rider/positions', p99: 500 },
  offer: { name: 'GET /v1/rider/offer', p99: 800 },
  offerAccept: { name: 'POST /v1/rider/offers/{id}/accept', p99: 1500 },
  offerDecline: { name: 'POST /v1/rider/offers/{id}/decline', p99: 1500 },
  riderOrders: { name: 'GET /v1/rider/orders', p99: 800 },
  pickedUp: { name: 'POST /v1/rider/orders/{id}/picked-up', p99: 1500 },
  delivered: { name: 'POST /v1/rider/orders/{id}/delivered', p99: 1500 },
  counts: { name: 'GET /v1/ops/orders/counts', p99: 1500 },
};

/**
 * Thresholds that fail the run: failed requests under MAX_ERROR_RATE, 0.1% by default (a 5xx, a
 * 429, a timeout, or a status the flow does not expect; see api.js) and each endpoint's p99. With `abortOnFail` (breakpoint)
 * k6 stops as soon as one breaks, after `delayAbortEval` of data.
 */
export function thresholds({ abortOnFail = false, delayAbortEval = '10s' } = {}) {
  const rule = (threshold) => (abortOnFail ? { threshold, abortOnFail, delayAbortEval } : threshold);
  /** @type {Record<string, unknown[]>} */
  const t = { http_req_failed: [rule(`rate<${MAX_ERROR_RATE}`)] };
  for (const e of Object.values(ENDPOINTS))
    t[`http_req_duration{name:${e.name}}`] = [rule(`p(99)<${Math.round(e.p99 * P99_SCALE)}`)];
  return t;
}
