// Abuse: good actors at a low steady rate while one abuser floods the gateway (docs/loadtesting.md,
// "abuse"). It asks whether admission control (ADR 0020) keeps kitchens' and riders' work and order
// placement going while an abuser is refused; the verdict is on the good actors only.
//   pnpm loadtest:abuse -e ABUSE=anon -e ABUSE_RATE=400
// The repository version of the review scripts behind docs/benchmarks.md, "Admission under
// abusive traffic".
import exec from 'k6/execution';
import http from 'k6/http';
import { Counter, Trend } from 'k6/metrics';
import { ENDPOINTS } from './lib/endpoints.js';
import { BASE_URL, CITY, MERCHANT_IDS, env, num } from './lib/env.js';
import { token } from './lib/jwt.js';
import { buildOptions } from './lib/scenario.js';
import { handleSummary as projectSummary } from './lib/summary.js';

const RATE = num('RATE', 2, { min: 0.1 });
const STEADY = env('STEADY', '30s');
const ABUSE = env('ABUSE', 'manycancel');
// Modest by default so a run fits a 2-core machine next to the stack; the recorded figures used
// 800-2,000/s. 0 means a closed model instead: ABUSE_VUS looping as fast as answers come.
const ABUSE_RATE = num('ABUSE_RATE', 200, { min: 0 });
const ABUSE_VUS = num('ABUSE_VUS', 40, { min: 1 });
/** Route failure shares that fail the run (good actors only). */
const CRITICAL_MAX_ERROR_RATE = num('CRITICAL_MAX_ERROR_RATE', 0.01, { min: 0, max: 1 });
const PLACE_MAX_ERROR_RATE = num('PLACE_MAX_ERROR_RATE', 0.05, { min: 0, max: 1 });

const KINDS = ['none', 'anon', 'manycustomers', 'manycancel', 'customer', 'devtoken', 'rider'];
if (!KINDS.includes(ABUSE)) throw new Error(`ABUSE must be one of ${KINDS.join(', ')}, got "${ABUSE}"`);

/**
 * The routes a kitchen or a rider cannot work without; admission control sheds them last, only
 * once everything else is refused and the process is still in danger (ADR 0020), so under abuse
 * they must keep working.
 */
export const CRITICAL = [
  ENDPOINTS.merchantOrders,
  ENDPOINTS.merchantAccept,
  ENDPOINTS.merchantReady,
  ENDPOINTS.shift,
  ENDPOINTS.offer,
  ENDPOINTS.offerAccept,
  ENDPOINTS.pickedUp,
  ENDPOINTS.delivered,
].map((e) => e.name);

const options = buildOptions({
  startRate: RATE,
  stages: [{ duration: STEADY, target: RATE, label: 'steady' }],
  riders: { start: num('RIDERS', 15) },
  drainS: 20,
});
// The actor tag splits every sample: good actors (the project's four) from the abuser.
for (const s of Object.values(options.scenarios)) s.tags = { actor: 'good' };
if (ABUSE !== 'none')
  options.scenarios.abuse = {
    ...(ABUSE_RATE > 0
      ? {
          executor: 'constant-arrival-rate',
          rate: ABUSE_RATE,
          timeUnit: '1s',
          preAllocatedVUs: ABUSE_VUS,
          maxVUs: ABUSE_VUS * 4,
        }
      : { executor: 'constant-vus', vus: ABUSE_VUS }),
    exec: 'abuse',
    duration: STEADY,
    gracefulStop: '15s',
    tags: { actor: 'abuse' },
  };

// The project's thresholds judge every request: here the abuser's refusals are the point and
// sheddable routes (browsing, menus, tracking, pings) may be refused to save the critical ones.
// So the run is judged per route, on good actors; every other view is recorded (an always-true
// threshold makes k6 keep the submetric for the summary and the report), not judged.
const always = { rate: 'rate>=0', trend: 'max>=0', count: 'count>=0' };
// The runner's figures (failed requests, p99) are the good actors' (loadtest/run/scenarios.ts).
const t = { 'http_req_failed{actor:good}': [always.rate], 'http_req_duration{actor:good}': [always.trend] };
for (const e of Object.values(ENDPOINTS)) {
  t[`http_req_duration{name:${e.name}}`] = [always.trend];
  t[`http_req_failed{name:${e.name}}`] = [always.rate];
}
for (const name of CRITICAL) t[`http_req_failed{name:${name}}`] = [`rate<${CRITICAL_MAX_ERROR_RATE}`];
t[`http_req_failed{name:${ENDPOINTS.place.name}}`] = [`rate<${PLACE_MAX_ERROR_RATE}`];
for (const s of ['customers', 'merchants', 'riders']) {
  t[`http_req_failed{scenario:${s}}`] = [always.rate];
  t[`http_req_duration{scenario:${s}}`] = [always.trend];
}
t['http_req_duration{actor:abuse}'] = [always.trend];
for (const status of [
  '0',
  '200',
  '201',
  '202',
  '400',
  '401',
  '404',
  '409',
  '413',
  '429',
  '500',
  '502',
  '503',
  '504',
])
  t[`abuse_status{status:${status}}`] = [always.count];
options.thresholds = t;
export { options };

export { setup, customers, merchants, riders, observer } from './lib/scenario.js';

const abuseStatus = new Counter('abuse_status');
const refusedWithoutRetryAfter = new Counter('abuse_refusal_without_retry_after');
const abuseDuration = new Trend('abuse_duration', true);

/** Every answer the abuser gets is expected: its statuses are counted, never judged. */
const params = { timeout: '15s', responseCallback: http.expectedStatuses({ min: 0, max: 999 }) };
const note = (res) => {
  abuseStatus.add(1, { status: String(res.status) });
  abuseDuration.add(res.timings.duration);
  if ((res.status === 429 || res.status === 503) && !res.headers['Retry-After'])
    refusedWithoutRetryAfter.add(1);
};
const send = (method, path, body, headers, kind) =>
  note(
    http.request(method, `${BASE_URL}${path}`, body === undefined ? null : JSON.stringify(body), {
      ...params,
      headers: body === undefined ? headers : { ...headers, 'content-type': 'application/json' },
      tags: { name: `abuse:${kind}` },
    }),
  );

// Ids outside the run's prefix: the business check never counts the abuser's orders.
const abuserToken = token('customer', env('ABUSER', 'abuser-1'));
const abuseRiderToken = token('rider', 'abuse-rider-1');
/** Well formed, wrong signature: the gateway must refuse it before any work. */
const FORGED =
  'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ4Iiwicm9sZSI6ImN1c3RvbWVyIiwiaXNzIjoibWVhbHBlYWsiLCJleHAiOjk5OTk5OTk5OTl9.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
const nearby = `lat=${CITY.lat}&lng=${CITY.lng}`;
/** Many valid customers, each under its own rate limit: a leaked signing key or token issuer. */
const manyToken = () =>
  token('customer', `many-${exec.vu.idInTest}-${Math.floor(exec.vu.iterationInScenario / 100)}`);
const bearer = (tok) => ({ authorization: `Bearer ${tok}` });

function uuid4() {
  const hex = '0123456789abcdef';
  let h = '';
  for (let k = 0; k < 32; k++) h += hex[Math.floor(Math.random() * 16)];
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export function abuse() {
  const i = Math.floor(Math.random() * 1e9);
  switch (ABUSE) {
    case 'anon': // no token, or a forged one
      return send('GET', `/v1/merchants?${nearby}`, undefined, i % 2 ? bearer(FORGED) : {}, 'anon');
    case 'manycustomers':
      return send(
        'GET',
        `/v1/merchants?${nearby}&radiusM=50000&pageSize=100`,
        undefined,
        bearer(manyToken()),
        'many',
      );
    case 'manycancel': // a critical customer route, random order ids (404s)
      return send('POST', `/v1/orders/${uuid4()}/cancel`, { reason: 'abuse' }, bearer(manyToken()), 'cancel');
    case 'customer': {
      // One valid customer doing everything far over its rate limit.
      const h = bearer(abuserToken);
      if (i % 3 === 0)
        return send(
          'POST',
          '/v1/orders',
          {
            merchantId: MERCHANT_IDS[0],
            lines: [{ itemId: '00000000-0000-0000-0000-000000000001', quantity: 1 }],
            dropoff: CITY,
            dropoffAddress: 'abuse',
          },
          { ...h, 'idempotency-key': `abuse-${i}-${Date.now()}` },
          'place',
        );
      if (i % 3 === 1)
        return send('GET', `/v1/merchants?${nearby}&radiusM=50000&pageSize=100`, undefined, h, 'browse');
      return send('GET', '/v1/orders?pageSize=100', undefined, h, 'list');
    }
    case 'devtoken': // the unauthenticated token issuer (off in production)
      return send('POST', '/v1/dev/tokens', { role: 'customer', sub: `dev${i}` }, {}, 'devtoken');
    case 'rider': // one rider's position pings far over its limit
      return send(
        'POST',
        '/v1/rider/positions',
        {
          pings: [
            { lat: CITY.lat + Math.random() / 100, lng: CITY.lng, recordedAt: new Date().toISOString() },
          ],
        },
        bearer(abuseRiderToken),
        'ping',
      );
    default:
      return undefined;
  }
}

/** The project's summary files, and on stdout what the abuser was answered. */
export function handleSummary(data) {
  const out = projectSummary(data);
  const rows = Object.entries(data.metrics)
    .map(([metric, m]) => [/^abuse_status\{status:(\d+)\}$/.exec(metric)?.[1], m.values.count])
    .filter(([status, count]) => status !== undefined && count > 0)
    .map(([status, count]) => `  ${status}: ${count}`);
  const critical = CRITICAL.map(
    (name) =>
      `  ${name.padEnd(40)} ${((data.metrics[`http_req_failed{name:${name}}`]?.values.rate ?? 0) * 100).toFixed(2)} %`,
  );
  out.stdout += [
    `abuse ${ABUSE} at ${ABUSE_RATE > 0 ? `${ABUSE_RATE}/s` : `${ABUSE_VUS} VUs`}, answered by status:`,
    ...rows,
    'critical routes failed (good actors):',
    ...critical,
    '',
  ].join('\n');
  return out;
}
