import { sleep } from 'k6';
import exec from 'k6/execution';
import { Counter } from 'k6/metrics';
import { between, json, pick, request, retryable, retryDelay } from './api.js';
import { ENDPOINTS as E } from './endpoints.js';
import { CITY, MERCHANT_IDS } from './env.js';
import { nearCentre } from './geo.js';
import { token } from './jwt.js';

const placed = new Counter('orders_placed');
const refused = new Counter('orders_refused');
const retries = new Counter('order_retries');

const MAX_ATTEMPTS = 4;

/**
 * The ledger the runner reconciles against the platform: one line per session that tried to
 * order, with the customer, its Idempotency-Key, the final status and the order id of a 201.
 * Goes to k6's console output (the runner passes --console-output).
 */
const ledger = (entry) => console.log(JSON.stringify({ ev: 'order', ...entry }));

/**
 * One customer session, a new customer each time (as at lunch: many people, one order each):
 * browse the merchants nearby, open one's menu, place an order (retrying with the same
 * Idempotency-Key on 429/503/504/network errors, as the apps do), then check the order and its
 * tracking a few seconds later.
 */
export function customerSession(data) {
  const customerId = `${data.runId}-c${exec.scenario.iterationInTest}`;
  const auth = { token: token('customer', customerId) };

  const list = json(
    request('GET', `/v1/merchants?lat=${CITY.lat}&lng=${CITY.lng}&radiusM=3000&pageSize=50`, {
      ...auth,
      endpoint: E.browse,
    }),
  );
  // Only merchants with a merchant VU behind them: others would never accept.
  const open = (list?.merchants ?? []).map((m) => m.id).filter((id) => MERCHANT_IDS.includes(id));
  const merchantId = open.length > 0 ? pick(open) : pick(MERCHANT_IDS);
  sleep(between(0.3, 1));

  const menu = json(request('GET', `/v1/merchants/${merchantId}`, { ...auth, endpoint: E.menu }));
  const dishes = (menu?.menu ?? []).filter((i) => i.available && i.stock > 0);
  if (dishes.length === 0) return;
  sleep(between(0.3, 1));

  const lines = [];
  for (const dish of dishes) if (lines.length < 3 && Math.random() < 0.4) lines.push(dish);
  if (lines.length === 0) lines.push(pick(dishes));
  const body = {
    merchantId,
    lines: lines.map((d) => ({ itemId: d.id, quantity: Math.random() < 0.8 ? 1 : 2 })),
    dropoff: nearCentre(2_000),
    dropoffAddress: `Load test ${customerId}`,
  };
  const key = `${customerId}-k1`;
  let res;
  let attempt = 0;
  for (;;) {
    attempt++;
    res = request('POST', '/v1/orders', {
      ...auth,
      body,
      endpoint: E.place,
      expected: [201],
      headers: { 'Idempotency-Key': key },
    });
    if (attempt >= MAX_ATTEMPTS || !retryable(res)) break;
    retries.add(1);
    sleep(retryDelay(res, attempt));
  }
  const order = res.status === 201 ? json(res) : undefined;
  ledger({ c: customerId, k: key, s: res.status, id: order?.id ?? null, n: attempt });
  if (!order?.id) {
    refused.add(1);
    return;
  }
  placed.add(1);

  sleep(between(2, 3));
  request('GET', `/v1/orders/${order.id}`, { ...auth, endpoint: E.order });
  sleep(between(2, 3));
  // Before the merchant accepts, tracking is 409 TRACKING_NOT_AVAILABLE: a normal answer.
  request('GET', `/v1/orders/${order.id}/tracking`, { ...auth, endpoint: E.tracking, expected: [200, 409] });
}
