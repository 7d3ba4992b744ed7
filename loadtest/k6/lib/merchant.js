import http from 'k6/http';
import { sleep } from 'k6';
import exec from 'k6/execution';
import { Counter } from 'k6/metrics';
import { json, noteFailure, request } from './api.js';
import { ENDPOINTS as E } from './endpoints.js';
import { BASE_URL, MERCHANT_IDS, num } from './env.js';
import { token } from './jwt.js';

const conflicts = new Counter('merchant_conflicts');

/** Share of incoming orders a kitchen rejects (OUT_OF_STOCK): a little realism, and REJECTED paths. */
const REJECT_SHARE = num('MERCHANT_REJECT_SHARE', 0.01);
/** Simulated preparation: seconds between accepting and marking ready. */
const PREP_MIN_S = num('PREP_MIN_S', 1);
const PREP_MAX_S = num('PREP_MAX_S', 3);

/** Preparation of one order, fixed by its id so every poll agrees. */
function prepSeconds(orderId) {
  let h = 0;
  for (let i = 0; i < orderId.length; i++) h = (h * 31 + orderId.charCodeAt(i)) >>> 0;
  return PREP_MIN_S + (h % 1000) * ((PREP_MAX_S - PREP_MIN_S) / 1000);
}

const EXPECTED = [200, 409];

function post(path, auth, endpoint, body) {
  return {
    method: 'POST',
    url: `${BASE_URL}${path}`,
    // An empty body with a JSON content type is a 400 INVALID_JSON: send {}.
    body: JSON.stringify(body ?? {}),
    params: {
      headers: { authorization: `Bearer ${auth}`, 'content-type': 'application/json' },
      tags: { name: endpoint.name },
      // 409: the order moved meanwhile (acceptance timeout, a cancellation): nothing to do.
      responseCallback: http.expectedStatuses(...EXPECTED),
      timeout: '15s',
    },
  };
}

/**
 * One merchant's tablet for the whole scenario (one VU per merchant, one long iteration): every
 * second, accept what came in (or reject a small share), and mark ready what has been prepared
 * long enough. Stateless between polls: it works from the order lists, as a tablet that restarts.
 */
export function merchantShift(endAt) {
  const merchantId = MERCHANT_IDS[exec.scenario.iterationInTest % MERCHANT_IDS.length];
  const auth = token('merchant', merchantId);
  const list = (state) =>
    json(
      request('GET', `/v1/merchant/orders?state=${state}&pageSize=100`, {
        token: auth,
        endpoint: E.merchantOrders,
      }),
    )?.orders ?? [];

  while (Date.now() < endAt) {
    const started = Date.now();
    const incoming = list('PLACED').map((o) =>
      Math.random() < REJECT_SHARE
        ? post(`/v1/merchant/orders/${o.id}/reject`, auth, E.merchantReject, { reason: 'OUT_OF_STOCK' })
        : post(`/v1/merchant/orders/${o.id}/accept`, auth, E.merchantAccept),
    );
    const now = Date.now();
    const done = list('ACCEPTED')
      .filter((o) => now - Date.parse(o.updatedAt) >= prepSeconds(o.id) * 1000)
      .map((o) => post(`/v1/merchant/orders/${o.id}/ready`, auth, E.merchantReady));
    const batch = incoming.concat(done);
    if (batch.length > 0)
      http.batch(batch).forEach((res, i) => {
        if (res.status === 409) conflicts.add(1);
        noteFailure(res, { name: batch[i].params.tags.name }, EXPECTED);
      });
    sleep(Math.max(0.05, 1 - (Date.now() - started) / 1000));
  }
}
