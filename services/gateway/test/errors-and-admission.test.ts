import { afterEach, describe, expect, it } from 'vitest';
import { codedError } from '@mealpeak/core';
import { createLogger } from '@mealpeak/telemetry';
import { logLevelOf } from '../src/transport/http/request-context.ts';
import type { Role } from '../src/app/principal.ts';
import { createHarness, type Harness, type HarnessOptions } from './support/harness.ts';
import { eventually } from './support/poll.ts';

const ORDER = '7d3c1a2e-5b6f-4c8d-9e0f-1a2b3c4d5e6f';
const order = {
  merchantId: 'm-1',
  lines: [{ itemId: 'i-1', quantity: 1 }],
  dropoff: { lat: 52.5, lng: 13.4 },
  dropoffAddress: 'Somestr. 1',
};

let h: Harness;
async function harness(options: HarnessOptions = {}): Promise<Harness> {
  h = await createHarness(options);
  h.backend.addMerchant('m-1');
  h.backend.addOrder({ id: ORDER, customerId: 'c-1', merchantId: 'm-1' });
  return h;
}
afterEach(() => h?.close());

const errorBody = (res: { json: () => unknown }) =>
  res.json() as { code: string; message: string; requestId: string };

describe('request ids', () => {
  it('keeps a sane incoming x-request-id and uses it in the error body', async () => {
    await harness();
    const res = await h.call({ url: '/v1/nowhere', headers: { 'x-request-id': 'client-req.42' } });
    expect(res.headers['x-request-id']).toBe('client-req.42');
    expect(errorBody(res).requestId).toBe('client-req.42');
  });

  it.each([['has spaces'], ['x'.repeat(200)], ['<script>']])(
    'replaces an unusable one (%s)',
    async (incoming) => {
      await harness();
      const res = await h.call({ url: '/healthz', headers: { 'x-request-id': incoming } });
      expect(res.headers['x-request-id']).not.toBe(incoming);
      expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    },
  );
});

describe('errors from the services behind the gateway', () => {
  it.each([
    [
      codedError('unavailable', 'GRPC_UNAVAILABLE', 'connect ECONNREFUSED 10.0.0.7:50051'),
      503,
      'UPSTREAM_UNAVAILABLE',
    ],
    [
      codedError('timeout', 'GRPC_DEADLINE_EXCEEDED', 'Deadline exceeded after 3.001s'),
      504,
      'UPSTREAM_TIMEOUT',
    ],
    [
      codedError('exhausted', 'STOCK_EXHAUSTED', 'not enough stock', [
        { field: 'lines[0].quantity', message: 'only 1 left' },
      ]),
      409,
      'STOCK_EXHAUSTED',
    ],
    [codedError('conflict', 'MERCHANT_PAUSED', 'the kitchen is paused'), 409, 'MERCHANT_PAUSED'],
    // grpc-js' own: a reply over the 4 MB message limit is our fault, not the client's.
    [
      codedError(
        'exhausted',
        'GRPC_RESOURCE_EXHAUSTED',
        'Received message larger than max (4200000 vs 4194304)',
      ),
      502,
      'UPSTREAM_ERROR',
    ],
    [codedError('unavailable', 'MERCHANT_OVERLOADED', 'try again in a minute'), 503, 'MERCHANT_OVERLOADED'],
    // A service refusing the gateway's GRPC_INTERNAL_TOKEN: the platform is misconfigured, the
    // user did nothing wrong (a 401 would have them log in again, and the 5xx alerts not see it).
    [
      codedError(
        'unauthenticated',
        'INTERNAL_TOKEN_REQUIRED',
        "only the platform's services may call this API",
      ),
      502,
      'UPSTREAM_ERROR',
    ],
    [
      codedError('invalid', 'ITEM_NOT_ON_MENU', 'no such dish', [
        { field: 'lines[0].item_id', message: 'not on the menu' },
      ]),
      400,
      'ITEM_NOT_ON_MENU',
    ],
  ])('%j -> %i %s', async (error, status, code) => {
    await harness();
    h.backend.failures.set('placeOrder', error);
    const res = await h.call({
      method: 'POST',
      url: '/v1/orders',
      payload: order,
      headers: { 'idempotency-key': 'k' },
      as: ['customer', 'c-1'],
    });
    expect(res.statusCode).toBe(status);
    const body = res.json<{ code: string; message: string; fields?: unknown }>();
    expect(body.code).toBe(code);
    // Transport-level details (addresses, grpc-js wording) never reach the client.
    expect(body.message).not.toMatch(/ECONNREFUSED|10\.0\.0\.7|Deadline exceeded/);
    // A service away or too slow: retry later (POSTs with the same Idempotency-Key).
    if (status === 503 || status === 504) expect(res.headers['retry-after']).toBe('5');
    else expect(res.headers['retry-after']).toBeUndefined();
    // Field names arrive as in the proto and leave as in the JSON.
    if (code === 'ITEM_NOT_ON_MENU')
      expect(body.fields).toEqual([{ field: 'lines[0].itemId', message: 'not on the menu' }]);
    if (code === 'STOCK_EXHAUSTED')
      expect(body.fields).toEqual([{ field: 'lines[0].quantity', message: 'only 1 left' }]);
  });

  it('a bug is a 500 without details, logged with its stack and request id', async () => {
    const lines: Record<string, unknown>[] = [];
    const logger = createLogger({
      service: 'gateway-test',
      level: 'info',
      destination: { write: (l: string) => void lines.push(JSON.parse(l) as Record<string, unknown>) },
    });
    await harness({ logger });
    h.backend.orderPort.getOrder = () =>
      Promise.reject(new TypeError('cannot read properties of undefined (reading "id")'));
    const res = await h.call({ url: `/v1/orders/${ORDER}`, as: ['customer', 'c-1'] });
    expect(res.statusCode).toBe(500);
    const body = errorBody(res);
    expect(body).toEqual({
      code: 'INTERNAL',
      message: 'internal error',
      requestId: res.headers['x-request-id'],
    });
    expect(res.body).not.toMatch(/TypeError|reading|at /);
    const logged = lines.find((l) => l['msg'] === 'unhandled error');
    expect(logged).toMatchObject({ level: 'error', requestId: body.requestId });
    expect(JSON.stringify(logged?.['err'])).toMatch(/TypeError.*\\n\s+at /);
  });
});

describe('the log line of each request', () => {
  async function logged(setUp: (h: Harness) => void, env: Record<string, string> = {}) {
    const lines: Record<string, unknown>[] = [];
    const logger = createLogger({
      service: 'gateway-test',
      level: 'debug',
      destination: { write: (l: string) => void lines.push(JSON.parse(l) as Record<string, unknown>) },
    });
    await harness({ logger, env });
    setUp(h);
    const place = (key: string) =>
      h.call({
        method: 'POST',
        url: '/v1/orders',
        payload: order,
        headers: { 'idempotency-key': key },
        as: ['customer', 'c-1'],
      });
    let res = await place('log-1');
    // With a rate limit of 1, the second is refused.
    if (env['RATE_LIMIT_PER_MINUTE_CUSTOMER']) res = await place('log-2');
    return { res, line: lines.findLast((l) => l['msg'] === 'request' && l['route'] === '/v1/orders') };
  }

  it('is an error, with the service code, when a service refuses the internal token', async () => {
    const { res, line } = await logged((h) =>
      h.backend.failures.set('placeOrder', codedError('unauthenticated', 'INTERNAL_TOKEN_REQUIRED', 'no')),
    );
    expect(res.statusCode).toBe(502);
    expect(line).toMatchObject({
      level: 'error',
      status: 502,
      code: 'UPSTREAM_ERROR',
      upstreamCode: 'INTERNAL_TOKEN_REQUIRED',
    });
  });

  it.each([
    [codedError('unavailable', 'GRPC_UNAVAILABLE', 'connect ECONNREFUSED'), 503, 'UPSTREAM_UNAVAILABLE'],
    [codedError('timeout', 'GRPC_DEADLINE_EXCEEDED', 'Deadline exceeded'), 504, 'UPSTREAM_TIMEOUT'],
    [codedError('unavailable', 'DEPENDENCY_UNAVAILABLE', 'retry later'), 503, 'DEPENDENCY_UNAVAILABLE'],
  ])('is a warning with the code when a service is down or slow (%j)', async (error, status, code) => {
    const { res, line } = await logged((h) => h.backend.failures.set('placeOrder', error));
    expect(res.statusCode).toBe(status);
    expect(line).toMatchObject({ level: 'warn', status, code });
  });

  it('stays at debug for the gateway limiting its own load', async () => {
    const { res, line } = await logged(() => undefined, { RATE_LIMIT_PER_MINUTE_CUSTOMER: '1' });
    expect(res.statusCode).toBe(429);
    expect(line).toMatchObject({ level: 'debug', status: 429, code: 'RATE_LIMITED' });
  });

  it.each([
    [200, undefined, 'debug'],
    [429, 'RATE_LIMITED', 'debug'],
    [503, 'OVERLOADED', 'debug'],
    [404, 'ORDER_NOT_FOUND', 'info'],
    [503, 'UPSTREAM_UNAVAILABLE', 'warn'],
    [503, 'MERCHANT_OVERLOADED', 'warn'],
    [504, 'REQUEST_TIMEOUT', 'warn'],
    [500, 'INTERNAL', 'warn'],
    [502, 'UPSTREAM_ERROR', 'error'],
  ] as const)('%i %s -> %s', (status, code, level) => {
    expect(logLevelOf(status, code)).toBe(level);
  });
});

describe('rate limits (429)', () => {
  it('limits each customer by its own budget, with Retry-After and the error shape', async () => {
    await harness({ env: { RATE_LIMIT_PER_MINUTE_CUSTOMER: '3' } });
    const get = (sub: string) => h.call({ url: '/v1/orders', as: ['customer', sub] });
    for (let i = 0; i < 3; i += 1) {
      const ok = await get('c-1');
      expect(ok.statusCode).toBe(200);
      expect(ok.headers['x-ratelimit-remaining']).toBe(String(2 - i));
    }
    const limited = await get('c-1');
    expect(limited.statusCode).toBe(429);
    expect(errorBody(limited).code).toBe('RATE_LIMITED');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(limited.headers['retry-after'])).toBeLessThanOrEqual(60);
    expect((await get('c-2')).statusCode).toBe(200);
  });

  it('limits callers without a valid token by address, so a flood of bad tokens is cut off too', async () => {
    await harness({ env: { RATE_LIMIT_PER_MINUTE_ANONYMOUS: '2' } });
    const bad = () => h.call({ url: '/v1/orders', headers: { authorization: 'Bearer nope' } });
    expect((await bad()).statusCode).toBe(401);
    expect((await bad()).statusCode).toBe(401);
    expect((await bad()).statusCode).toBe(429);
    // Unknown routes count too (no free probing of the URL space).
    expect((await h.call({ url: '/v1/secret' })).statusCode).toBe(429);
  });

  it('behind a trusted proxy, limits the address the proxy saw, whatever the client wrote before it', async () => {
    // inject() comes from 127.0.0.1: that is the ingress here.
    await harness({ env: { RATE_LIMIT_PER_MINUTE_ANONYMOUS: '2', TRUST_PROXY: '127.0.0.1' } });
    const from = (forged: string) =>
      h.call({ url: '/v1/orders', headers: { 'x-forwarded-for': `${forged}, 203.0.113.9` } });
    expect((await from('1.2.3.1')).statusCode).toBe(401);
    expect((await from('1.2.3.2')).statusCode).toBe(401);
    expect((await from('1.2.3.3')).statusCode).toBe(429);
    // Another client behind the same ingress has its own budget.
    const other = await h.call({ url: '/v1/orders', headers: { 'x-forwarded-for': '198.51.100.4' } });
    expect(other.statusCode).toBe(401);
  });

  it('limits an IPv6 client by its /64, so a new address per request buys no new budget', async () => {
    await harness({ env: { RATE_LIMIT_PER_MINUTE_ANONYMOUS: '3', RATE_LIMIT_PER_MINUTE_DEV_TOKENS: '2' } });
    const bad = (remoteAddress: string) =>
      h.call({ url: '/v1/orders', remoteAddress, headers: { authorization: 'Bearer nope' } });
    const statuses = [];
    for (let i = 1; i <= 6; i += 1) statuses.push((await bad(`2001:db8:1:2::${i.toString(16)}`)).statusCode);
    expect(statuses).toEqual([401, 401, 401, 429, 429, 429]);
    // The next /64 is another subscriber.
    expect((await bad('2001:db8:1:3::1')).statusCode).toBe(401);
    // A dual-stack socket's IPv4-mapped address is the IPv4 client.
    expect((await bad('203.0.113.7')).statusCode).toBe(401);
    expect((await bad('::ffff:203.0.113.7')).statusCode).toBe(401);
    expect((await bad('203.0.113.7')).statusCode).toBe(401);
    expect((await bad('::ffff:203.0.113.7')).statusCode).toBe(429);
    // The dev token issuer's budget too.
    const issue = (remoteAddress: string) =>
      h.call({ method: 'POST', url: '/v1/dev/tokens', remoteAddress, payload: { role: 'ops', sub: 'o' } });
    expect((await issue('2001:db8:9:9::1')).statusCode).toBe(201);
    expect((await issue('2001:db8:9:9::2')).statusCode).toBe(201);
    expect((await issue('2001:db8:9:9::3')).statusCode).toBe(429);
  });

  it('gives the dev token issuer its own per-address budget', async () => {
    await harness({ env: { RATE_LIMIT_PER_MINUTE_DEV_TOKENS: '1' } });
    const issue = () => h.call({ method: 'POST', url: '/v1/dev/tokens', payload: { role: 'ops', sub: 'o' } });
    expect((await issue()).statusCode).toBe(201);
    expect((await issue()).statusCode).toBe(429);
    // Over that budget is not over the address's budget for everything else, nor the reverse.
    expect((await h.call({ url: '/v1/orders' })).statusCode).toBe(401);
    expect(h.app.admission.knownOverBudget()).toBe(0);
  });

  it('its own budget stays when the address is over its budget for everything else', async () => {
    await harness({ env: { RATE_LIMIT_PER_MINUTE_ANONYMOUS: '1', RATE_LIMIT_PER_MINUTE_DEV_TOKENS: '5' } });
    expect((await h.call({ url: '/v1/orders' })).statusCode).toBe(401);
    expect((await h.call({ url: '/v1/orders' })).statusCode).toBe(429);
    expect(h.app.admission.knownOverBudget()).toBe(1);
    const issued = await h.call({
      method: 'POST',
      url: '/v1/dev/tokens',
      payload: { role: 'ops', sub: 'o' },
    });
    expect(issued.statusCode).toBe(201);
  });

  it('never limits the probes', async () => {
    await harness({ env: { RATE_LIMIT_PER_MINUTE_ANONYMOUS: '1' } });
    for (let i = 0; i < 5; i += 1) expect((await h.call({ url: '/healthz' })).statusCode).toBe(200);
  });
});

describe('load shedding (503)', () => {
  it('sheds requests above MAX_IN_FLIGHT, and recovers when they finish', async () => {
    await harness({ env: { MAX_IN_FLIGHT: '1' } });
    h.backend.placeDelayMs = 200;
    const slow = h.call({
      method: 'POST',
      url: '/v1/orders',
      payload: order,
      headers: { 'idempotency-key': 'slow' },
      as: ['customer', 'c-1'],
    });
    // Wait until the slow request holds the only slot (it is inside PlaceOrder).
    await eventually(async () => (h.backend.placeCalls.length > 0 ? true : undefined));
    const shed = await h.call({ url: '/v1/orders', as: ['customer', 'c-1'] });
    expect(shed.statusCode).toBe(503);
    expect(errorBody(shed).code).toBe('OVERLOADED');
    expect(shed.headers['retry-after']).toBe('5');
    expect((await h.call({ url: '/healthz' })).statusCode).toBe(200);
    expect((await slow).statusCode).toBe(201);
    expect((await h.call({ url: '/v1/orders', as: ['customer', 'c-1'] })).statusCode).toBe(200);
  });

  it('sheds when the process is under pressure (heap over the limit), but still answers probes', async () => {
    await harness({
      env: { MAX_HEAP_USED_BYTES: '1', RETRY_AFTER_SECONDS: '7' },
      pressureSampleIntervalMs: 10,
    });
    const shed = await eventually(async () => {
      const res = await h.call({ url: '/v1/orders', as: ['customer', 'c-1'] });
      return res.statusCode === 503 ? res : undefined;
    });
    expect(errorBody(shed).code).toBe('OVERLOADED');
    expect(shed.headers['retry-after']).toBe('7');
    expect((await h.call({ url: '/healthz' })).statusCode).toBe(200);
    expect((await h.call({ url: '/readyz' })).statusCode).toBe(200);
  });

  const browse = () => h.call({ url: '/v1/merchants?lat=52.5&lng=13.4', as: ['customer', 'c-1'] });
  const readOrder = () => h.call({ url: `/v1/orders/${ORDER}`, as: ['customer', 'c-1'] });
  const accept = (as: [Role, string] = ['merchant', 'm-1']) =>
    h.call({ method: 'POST', url: `/v1/merchant/orders/${ORDER}/accept`, as });

  it('keeps slots for the critical: the sheddable fill 60% of MAX_IN_FLIGHT, the normal 85%', async () => {
    await harness({ env: { MAX_IN_FLIGHT: '10' } });
    let open = () => {};
    h.backend.placeGate = new Promise((resolve) => {
      open = resolve;
    });
    const place = (n: number) =>
      h.call({
        method: 'POST',
        url: '/v1/orders',
        payload: order,
        headers: { 'idempotency-key': `held-${n}` },
        as: ['customer', `held-${n}`],
      });
    const held = [0, 1, 2, 3, 4, 5].map(place);
    await eventually(async () => (h.backend.placeCalls.length === 6 ? true : undefined));
    expect(h.app.admission.inFlight()).toBe(6);

    // 6 of 10 in flight: browsing and the tracking map are refused. (Calls without a valid token,
    // or for a role the route refuses, are sheddable too, but answered 401/403 before any slot.)
    const tracking = await h.call({ url: `/v1/orders/${ORDER}/tracking`, as: ['customer', 'c-1'] });
    for (const res of [await browse(), tracking]) {
      expect(res.statusCode).toBe(503);
      expect(errorBody(res).code).toBe('OVERLOADED');
    }
    expect((await readOrder()).statusCode).toBe(200);

    held.push(place(6), place(7));
    await eventually(async () => (h.backend.placeCalls.length === 8 ? true : undefined));
    // 8 of 10: the normal are refused too (a ninth placement, and a customer's cancellation: a
    // customer token buys no priority, whatever order id it names); a merchant's accept still goes
    // through.
    expect((await place(8)).statusCode).toBe(503);
    const cancel = await h.call({
      method: 'POST',
      url: `/v1/orders/${ORDER}/cancel`,
      payload: { reason: 'CHANGED_MIND' },
      as: ['customer', 'c-1'],
    });
    expect(cancel.statusCode).toBe(503);
    expect((await accept()).statusCode).toBe(200);

    open();
    for (const res of await Promise.all(held)) expect(res.statusCode).toBe(201);
    expect((await browse()).statusCode).toBe(200);
  });

  it('refuses a client over its budget for pressure like anyone else: the flood takes its share of 503s', async () => {
    let heapUsed = 0;
    await harness({
      env: { MAX_HEAP_USED_BYTES: '1000', RATE_LIMIT_PER_MINUTE_ANONYMOUS: '1' },
      pressureSampleIntervalMs: 10,
      readHeapUsed: () => heapUsed,
    });
    expect((await h.call({ url: '/v1/orders' })).statusCode).toBe(401);
    const limited = await h.call({ url: '/v1/orders' });
    expect(limited.statusCode).toBe(429);
    expect(h.app.admission.knownOverBudget()).toBe(1);
    // Answered from memory, with the headers of the rate limit's own 429.
    const remembered = await h.call({ url: '/v1/orders' });
    expect(remembered.statusCode).toBe(429);
    expect(remembered.headers['x-ratelimit-limit']).toBe('1');
    expect(remembered.headers['x-ratelimit-remaining']).toBe('0');
    expect(Number(remembered.headers['x-ratelimit-reset'])).toBeGreaterThan(0);
    heapUsed = 950;
    const shed = await eventually(async () => {
      const res = await h.call({ url: '/v1/orders' });
      return res.statusCode === 503 ? res : undefined;
    });
    expect(errorBody(shed).code).toBe('OVERLOADED');
  });

  it('under pressure refuses the sheddable first and the critical last', async () => {
    let heapUsed = 950;
    await harness({
      env: { MAX_HEAP_USED_BYTES: '1000' },
      pressureSampleIntervalMs: 10,
      readHeapUsed: () => heapUsed,
    });
    // 95% of the heap limit: over the sheddable's 90%, under everyone else's. Refused before the
    // token is checked: tokenless calls, and a role the route refuses.
    await eventually(async () => ((await browse()).statusCode === 503 ? true : undefined));
    expect((await h.call({ url: '/v1/orders' })).statusCode).toBe(503);
    expect((await accept(['customer', 'c-1'])).statusCode).toBe(503);
    expect((await readOrder()).statusCode).toBe(200);
    expect((await accept()).statusCode).toBe(200);

    heapUsed = 1_100;
    const shed = await eventually(async () => {
      const res = await h.call({
        method: 'POST',
        url: `/v1/merchant/orders/${ORDER}/ready`,
        as: ['merchant', 'm-1'],
      });
      return res.statusCode === 503 ? res : undefined;
    });
    expect(errorBody(shed).code).toBe('OVERLOADED');
    expect((await h.call({ url: '/readyz' })).statusCode).toBe(200);
  });

  it('reports not ready on /readyz while draining', async () => {
    await harness({ isReady: () => false });
    const res = await h.call({ url: '/readyz' });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toEqual({ status: 'unavailable' });
  });
});

describe('timeouts', () => {
  it('answers 504 when a request outlives REQUEST_TIMEOUT_MS', async () => {
    await harness({
      env: {
        REQUEST_TIMEOUT_MS: '300',
        GRPC_DEADLINE_MS: '100',
        PLACE_ORDER_DEADLINE_MS: '200',
        CONNECTION_TIMEOUT_MS: '1000',
      },
    });
    h.backend.placeDelayMs = 1_000;
    const res = await h.call({
      method: 'POST',
      url: '/v1/orders',
      payload: order,
      headers: { 'idempotency-key': 't' },
      as: ['customer', 'c-1'],
    });
    expect(res.statusCode).toBe(504);
    expect(errorBody(res).code).toBe('REQUEST_TIMEOUT');
  });

  it('hands every port call the request deadline, kept back from the request timeout', async () => {
    await harness();
    let deadline: Date | undefined;
    const getOrder = h.backend.orderPort.getOrder.bind(h.backend.orderPort);
    h.backend.orderPort.getOrder = (id, ctx) => {
      deadline = ctx.deadline;
      return getOrder(id, ctx);
    };
    const before = Date.now();
    await h.call({ url: `/v1/orders/${ORDER}`, as: ['customer', 'c-1'] });
    const budget = (deadline?.getTime() ?? 0) - before;
    expect(budget).toBeGreaterThan(9_000);
    expect(budget).toBeLessThan(10_000);
  });
});
