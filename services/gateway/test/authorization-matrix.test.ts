import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { OrderState } from '@mealpeak/contracts/order.v1';
import type { Role } from '../src/app/principal.ts';
import { DEV_JWT_SECRET } from '../src/config.ts';
import { createHarness, type Harness } from './support/harness.ts';

/**
 * Every role (and no token) against every endpoint: allowed roles get a 2xx, other roles 403,
 * no token 401. Then the ownership rules: another customer's or merchant's order is a 404
 * indistinguishable from an order that does not exist.
 */

const ORDER = '7d3c1a2e-5b6f-4c8d-9e0f-1a2b3c4d5e6f';
const UNKNOWN_ORDER = '00000000-0000-4000-8000-000000000000';
const OFFER = '0ffe0ffe-0000-4000-8000-000000000001';
/** Merchants cancel only accepted orders (an incoming one is rejected instead). */
const ACCEPTED_ORDER = '7d3c1a2e-5b6f-4c8d-9e0f-1a2b3c4d5e70';
const here = { lat: 52.52, lng: 13.405 };
const SUBJECT: Record<Role, string> = { customer: 'c-1', merchant: 'm-1', rider: 'r-1', ops: 'ops-1' };
const item = { name: 'Pho', price: { amountMinor: 1290, currency: 'EUR' }, stock: 5, available: true };
const order = {
  merchantId: 'm-1',
  lines: [{ itemId: 'i-1', quantity: 2 }],
  dropoff: { lat: 52.5, lng: 13.4 },
  dropoffAddress: 'Somestr. 1',
};

interface Endpoint {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH';
  url: string;
  payload?: object;
  /** Who may call it; 'anyone' for public routes. */
  allowed: Role[] | 'anyone';
  status: number;
}

let keys = 0;
const ENDPOINTS: Endpoint[] = [
  { method: 'GET', url: '/v1/merchants?lat=52.5&lng=13.4', allowed: ['customer'], status: 200 },
  { method: 'GET', url: '/v1/merchants/m-1', allowed: ['customer'], status: 200 },
  { method: 'POST', url: '/v1/orders', payload: order, allowed: ['customer'], status: 201 },
  { method: 'GET', url: '/v1/orders', allowed: ['customer'], status: 200 },
  { method: 'GET', url: `/v1/orders/${ORDER}`, allowed: ['customer'], status: 200 },
  { method: 'GET', url: `/v1/orders/${ORDER}/timeline`, allowed: ['customer'], status: 200 },
  // ORDER is picked up at dispatch (below), which a customer cancel asks first: the accepted one.
  {
    method: 'POST',
    url: `/v1/orders/${ACCEPTED_ORDER}/cancel`,
    payload: {},
    allowed: ['customer'],
    status: 200,
  },
  { method: 'GET', url: '/v1/merchant', allowed: ['merchant'], status: 200 },
  {
    method: 'PATCH',
    url: '/v1/merchant',
    payload: { name: 'Kitchen m-1', kitchenCapacity: 6 },
    allowed: ['merchant'],
    status: 200,
  },
  { method: 'GET', url: '/v1/merchant/orders?state=PLACED', allowed: ['merchant'], status: 200 },
  { method: 'POST', url: `/v1/merchant/orders/${ORDER}/accept`, allowed: ['merchant'], status: 200 },
  {
    method: 'POST',
    url: `/v1/merchant/orders/${ORDER}/reject`,
    payload: { reason: 'OUT_OF_STOCK' },
    allowed: ['merchant'],
    status: 200,
  },
  { method: 'POST', url: `/v1/merchant/orders/${ORDER}/ready`, allowed: ['merchant'], status: 200 },
  {
    method: 'POST',
    url: `/v1/merchant/orders/${ACCEPTED_ORDER}/cancel`,
    payload: { reason: 'OUT_OF_STOCK' },
    allowed: ['merchant'],
    status: 200,
  },
  { method: 'POST', url: '/v1/merchant/menu/items', payload: item, allowed: ['merchant'], status: 201 },
  { method: 'GET', url: '/v1/merchant/menu/items/i-1', allowed: ['merchant'], status: 200 },
  { method: 'PUT', url: '/v1/merchant/menu/items/i-1', payload: item, allowed: ['merchant'], status: 200 },
  {
    method: 'PUT',
    url: '/v1/merchant/menu/items/i-1/stock',
    payload: { stock: 3 },
    allowed: ['merchant'],
    status: 200,
  },
  {
    method: 'PUT',
    url: '/v1/merchant/status',
    payload: { status: 'PAUSED' },
    allowed: ['merchant'],
    status: 200,
  },
  {
    method: 'GET',
    url: `/v1/orders/${ORDER}/tracking`,
    allowed: ['customer'],
    status: 200,
  },
  {
    method: 'POST',
    url: '/v1/rider/shift',
    payload: { online: true, position: here },
    allowed: ['rider'],
    status: 200,
  },
  {
    method: 'POST',
    url: '/v1/rider/positions',
    // Built at load time: if the run is slow the ping is stale, which is still a 202 (dropped).
    payload: { pings: [{ ...here, recordedAt: new Date().toISOString() }] },
    allowed: ['rider'],
    status: 202,
  },
  { method: 'GET', url: '/v1/rider/shift', allowed: ['rider'], status: 200 },
  { method: 'GET', url: '/v1/rider/offer', allowed: ['rider'], status: 200 },
  { method: 'GET', url: '/v1/rider/orders', allowed: ['rider'], status: 200 },
  { method: 'POST', url: `/v1/rider/offers/${OFFER}/accept`, allowed: ['rider'], status: 200 },
  { method: 'POST', url: `/v1/rider/offers/${OFFER}/decline`, allowed: ['rider'], status: 200 },
  { method: 'POST', url: `/v1/rider/orders/${ORDER}/picked-up`, allowed: ['rider'], status: 200 },
  { method: 'POST', url: `/v1/rider/orders/${ORDER}/delivered`, allowed: ['rider'], status: 200 },
  { method: 'GET', url: `/v1/ops/orders/${ORDER}`, allowed: ['ops'], status: 200 },
  { method: 'GET', url: `/v1/ops/orders/${ORDER}/timeline`, allowed: ['ops'], status: 200 },
  { method: 'GET', url: `/v1/ops/orders/${ORDER}/dispatch`, allowed: ['ops'], status: 200 },
  { method: 'GET', url: '/v1/ops/orders/counts?merchantId=m-1', allowed: ['ops'], status: 200 },
  {
    method: 'POST',
    url: `/v1/ops/orders/${ORDER}/cancel`,
    payload: { reason: 'FRAUD_SUSPECTED' },
    allowed: ['ops'],
    status: 200,
  },
  {
    method: 'POST',
    url: '/v1/dev/tokens',
    payload: { role: 'customer', sub: 'c-9' },
    allowed: 'anyone',
    status: 201,
  },
];

const CALLERS: (Role | 'nobody')[] = ['nobody', 'customer', 'merchant', 'rider', 'ops'];

function expected(e: Endpoint, caller: Role | 'nobody'): number {
  if (e.allowed === 'anyone') return e.status;
  if (caller === 'nobody') return 401;
  return e.allowed.includes(caller) ? e.status : 403;
}

const CASES = ENDPOINTS.flatMap((e) =>
  CALLERS.map((caller) => ({ ...e, caller, expect: expected(e, caller) })),
);

describe('authorization matrix', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness();
    h.backend.addMerchant('m-1');
    h.backend.addMerchant('m-2');
  });
  afterAll(() => h.close());
  beforeEach(() => {
    h.backend.addOrder({
      id: ORDER,
      customerId: 'c-1',
      merchantId: 'm-1',
      state: OrderState.ORDER_STATE_PLACED,
    });
    h.backend.addOrder({
      id: ACCEPTED_ORDER,
      customerId: 'c-1',
      merchantId: 'm-1',
      state: OrderState.ORDER_STATE_ACCEPTED,
    });
    // Dispatch's side: a pending offer for r-1, and ORDER in r-1's hands, picked up (a repeated
    // pickup is OK, delivery is allowed).
    h.dispatch.addOffer({ offerId: OFFER, riderId: 'r-1', orderIds: [UNKNOWN_ORDER] });
    h.dispatch.addDelivery({ orderId: ORDER, riderId: 'r-1', state: 'picked_up' });
  });

  it.each(CASES)('$caller $method $url -> $expect', async (c) => {
    const res = await h.call({
      method: c.method,
      url: c.url,
      ...(c.payload ? { payload: c.payload } : {}),
      headers: { 'idempotency-key': `matrix-${(keys += 1)}` },
      ...(c.caller === 'nobody' ? {} : { as: [c.caller, SUBJECT[c.caller]] }),
    });
    expect(res.statusCode, res.body).toBe(c.expect);
    if (c.expect === 401) expect(res.json()).toMatchObject({ code: 'UNAUTHENTICATED' });
    if (c.expect === 403) expect(res.json()).toMatchObject({ code: 'FORBIDDEN' });
  });

  it('covers every route the gateway documents', () => {
    const documented = Object.entries((h.app.swagger() as { paths: Record<string, object> }).paths).flatMap(
      ([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`),
    );
    const tested = new Set(
      ENDPOINTS.map(
        (e) =>
          `${e.method} ${e.url
            .split('?')[0]!
            .replace(ORDER, '{orderId}')
            .replace(ACCEPTED_ORDER, '{orderId}')
            .replace(OFFER, '{offerId}')}`,
      ),
    );
    const normalise = (r: string) => r.replace('/m-1', '/{merchantId}').replace('/i-1', '/{itemId}');
    expect(new Set([...tested].map(normalise))).toEqual(new Set(documented));
  });
});

describe('every endpoint refuses query parameters it does not know', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness({ env: { RATE_LIMIT_PER_MINUTE_ANONYMOUS: '1000' } });
    h.backend.addMerchant('m-1');
    h.backend.addOrder({ id: ORDER, customerId: 'c-1', merchantId: 'm-1' });
  });
  afterAll(() => h.close());

  it.each(ENDPOINTS)('$method $url?foo=bar -> 400 UNKNOWN_FIELD', async (e) => {
    const caller = e.allowed === 'anyone' ? undefined : e.allowed[0];
    const res = await h.call({
      method: e.method,
      url: `${e.url}${e.url.includes('?') ? '&' : '?'}foo=bar`,
      ...(e.payload ? { payload: e.payload } : {}),
      headers: { 'idempotency-key': `query-${(keys += 1)}` },
      ...(caller ? { as: [caller, SUBJECT[caller]] } : {}),
    });
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json()).toMatchObject({ code: 'UNKNOWN_FIELD', fields: [{ field: 'foo' }] });
  });
});

describe('ownership: other people’s orders do not exist', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness();
    h.backend.addMerchant('m-1');
    h.backend.addOrder({ id: ORDER, customerId: 'c-1', merchantId: 'm-1' });
    h.dispatch.addDelivery({
      orderId: ORDER,
      riderId: 'r-1',
      position: { lat: 52.5, lng: 13.4, at: new Date() },
    });
  });
  afterAll(() => h.close());

  it.each([
    ['GET', ''],
    ['GET', '/timeline'],
    ['GET', '/tracking'],
    ['POST', '/cancel'],
  ] as const)(
    'customer c-2 %s /v1/orders/{id}%s answers exactly like an unknown id',
    async (method, suffix) => {
      const foreign = await h.call({ method, url: `/v1/orders/${ORDER}${suffix}`, as: ['customer', 'c-2'] });
      const unknown = await h.call({
        method,
        url: `/v1/orders/${UNKNOWN_ORDER}${suffix}`,
        as: ['customer', 'c-2'],
      });
      expect(foreign.statusCode).toBe(404);
      expect(unknown.statusCode).toBe(404);
      const { requestId: _a, ...foreignBody } = foreign.json<Record<string, unknown>>();
      const { requestId: _b, ...unknownBody } = unknown.json<Record<string, unknown>>();
      expect(foreignBody).toEqual({ code: 'ORDER_NOT_FOUND', message: 'order not found' });
      expect(unknownBody).toEqual(foreignBody);
      expect(h.backend.orders.get(ORDER)?.state).toBe(OrderState.ORDER_STATE_PLACED);
      // Ownership is settled before dispatch is asked anything about the order.
      expect(h.dispatch.calls).toEqual([]);
    },
  );

  it('a rider’s run holds only that rider’s orders: the token decides, never a parameter', async () => {
    const run = async (sub: string) =>
      (await h.call({ url: '/v1/rider/orders', as: ['rider', sub] })).json<{
        orders: { orderId: string }[];
      }>();
    expect((await run('r-1')).orders.map((o) => o.orderId)).toEqual([ORDER]);
    expect(await run('r-2')).toEqual({ orders: [] });
    expect(h.dispatch.calls.filter((c) => c.startsWith('listRiderOrders'))).toEqual([
      'listRiderOrders:r-1',
      'listRiderOrders:r-2',
    ]);
  });

  it.each(['accept', 'ready'])('merchant m-2 cannot %s an order of m-1 (404)', async (action) => {
    const res = await h.call({
      method: 'POST',
      url: `/v1/merchant/orders/${ORDER}/${action}`,
      as: ['merchant', 'm-2'],
    });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ code: 'ORDER_NOT_FOUND', message: 'order not found' });
    expect(h.backend.orders.get(ORDER)?.state).toBe(OrderState.ORDER_STATE_PLACED);
  });

  it('merchant m-2 cannot cancel an order of m-1 (404)', async () => {
    h.backend.addOrder({
      id: ACCEPTED_ORDER,
      customerId: 'c-1',
      merchantId: 'm-1',
      state: OrderState.ORDER_STATE_ACCEPTED,
    });
    const cancel = (id: string) =>
      h.call({
        method: 'POST',
        url: `/v1/merchant/orders/${id}/cancel`,
        payload: { reason: 'OTHER' },
        as: ['merchant', 'm-2'],
      });
    const foreign = await cancel(ACCEPTED_ORDER);
    const unknown = await cancel(UNKNOWN_ORDER);
    expect(foreign.statusCode).toBe(404);
    expect(foreign.json()).toMatchObject({ code: 'ORDER_NOT_FOUND', message: 'order not found' });
    expect(unknown.json()).toMatchObject({ code: 'ORDER_NOT_FOUND', message: 'order not found' });
    expect(h.backend.orders.get(ACCEPTED_ORDER)?.state).toBe(OrderState.ORDER_STATE_ACCEPTED);
    h.backend.orders.delete(ACCEPTED_ORDER); // the listing test below counts c-1's orders
  });

  it('a customer lists only its own orders, a merchant only its store’s', async () => {
    h.backend.addOrder({
      id: UNKNOWN_ORDER.replace('0000-4', '0001-4'),
      customerId: 'c-2',
      merchantId: 'm-2',
    });
    const mine = await h.call({ url: '/v1/orders', as: ['customer', 'c-1'] });
    expect(mine.json<{ orders: { id: string }[] }>().orders.map((o) => o.id)).toEqual([ORDER]);
    const store = await h.call({ url: '/v1/merchant/orders', as: ['merchant', 'm-1'] });
    expect(store.json<{ orders: { id: string }[] }>().orders.map((o) => o.id)).toEqual([ORDER]);
  });

  it('customers see who acted by role only; ops also see the ids', async () => {
    const customer = await h.call({ url: `/v1/orders/${ORDER}/timeline`, as: ['customer', 'c-1'] });
    expect(customer.json<{ entries: { actor: object }[] }>().entries[0]?.actor).toEqual({ role: 'CUSTOMER' });
    const ops = await h.call({ url: `/v1/ops/orders/${ORDER}/timeline`, as: ['ops', 'ops-1'] });
    expect(ops.json<{ entries: { actor: object }[] }>().entries[0]?.actor).toEqual({
      role: 'CUSTOMER',
      id: 'c-1',
    });
  });
});

describe('riders: other riders’ offers and orders, answered as dispatch answers them', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness();
  });
  afterAll(() => h.close());
  beforeEach(() => {
    h.dispatch.addOffer({ offerId: OFFER, riderId: 'r-1', orderIds: [UNKNOWN_ORDER] });
    h.dispatch.addDelivery({ orderId: ORDER, riderId: 'r-1', state: 'assigned' });
  });

  it('shows an offer to its rider only', async () => {
    const mine = await h.call({ url: '/v1/rider/offer', as: ['rider', 'r-1'] });
    expect(mine.json()).toMatchObject({ offer: { offerId: OFFER } });
    const theirs = await h.call({ url: '/v1/rider/offer', as: ['rider', 'r-2'] });
    expect(theirs.json()).toEqual({ offer: null });
  });

  it.each(['accept', 'decline'])(
    'rider r-2 cannot %s an offer of r-1 (404 OFFER_NOT_FOUND)',
    async (action) => {
      const res = await h.call({
        method: 'POST',
        url: `/v1/rider/offers/${OFFER}/${action}`,
        as: ['rider', 'r-2'],
      });
      expect(res.statusCode).toBe(404);
      expect(res.json()).toMatchObject({ code: 'OFFER_NOT_FOUND' });
      expect(h.dispatch.offers.get(OFFER)?.status).toBe('pending');
    },
  );

  it.each(['picked-up', 'delivered'])(
    'rider r-2 cannot mark an order of r-1 %s (403 ORDER_NOT_HELD)',
    async (action) => {
      const res = await h.call({
        method: 'POST',
        url: `/v1/rider/orders/${ORDER}/${action}`,
        as: ['rider', 'r-2'],
      });
      expect(res.statusCode).toBe(403);
      expect(res.json()).toMatchObject({ code: 'ORDER_NOT_HELD' });
      expect(h.dispatch.deliveries.get(ORDER)?.state).toBe('assigned');
    },
  );

  it('writes pings under the token subject only', async () => {
    const pings = [{ lat: 52.5, lng: 13.4, recordedAt: new Date().toISOString() }];
    const res = await h.call({
      method: 'POST',
      url: '/v1/rider/positions',
      payload: { pings },
      as: ['rider', 'r-2'],
    });
    expect(res.statusCode).toBe(202);
    expect([...h.positions.latest.keys()]).toEqual(['r-2']);
  });
});

describe('tokens the gateway refuses (401)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness();
  });
  afterAll(() => h.close());

  const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const future = () => Math.floor(Date.now() / 1000) + 600;

  it.each([
    ['no Bearer scheme', () => 'Token abc'],
    ['garbage', () => 'Bearer not-a-jwt'],
    [
      'alg none',
      () =>
        `Bearer ${b64({ alg: 'none', typ: 'JWT' })}.${b64({ sub: 'c-1', role: 'customer', iss: 'mealpeak', exp: future() })}.`,
    ],
    [
      'signed with another secret',
      () => `Bearer ${h.token('customer', 'c-1').split('.').slice(0, 2).join('.')}.AAAA`,
    ],
  ])('%s', async (_name, header) => {
    const res = await h.call({ url: '/v1/orders', headers: { authorization: header() } });
    expect(res.statusCode).toBe(401);
    expect(res.json()).toMatchObject({ code: 'UNAUTHENTICATED' });
  });

  it.each([
    ['an unknown role', { role: 'admin', sub: 'c-1' }, 'token has an unknown role'],
    ['a sub that is not a plain id', { role: 'customer', sub: 'c 1/../x' }, 'token has an invalid sub'],
  ])('a valid signature with %s', async (_name, claims, message) => {
    const token = h.app.jwt.sign(claims as never, { expiresIn: 600 });
    const res = await h.call({ url: '/v1/orders', headers: { authorization: `Bearer ${token}` } });
    expect(res.statusCode).toBe(401);
    expect(res.json()).toMatchObject({ code: 'UNAUTHENTICATED', message });
  });

  it('another issuer', async () => {
    const token = h.app.jwt.sign({ sub: 'c-1', role: 'customer' }, { expiresIn: 600, iss: 'someone-else' });
    const res = await h.call({ url: '/v1/orders', headers: { authorization: `Bearer ${token}` } });
    expect(res.statusCode).toBe(401);
    expect(res.json()).toMatchObject({ code: 'UNAUTHENTICATED', message: 'token issuer is not mealpeak' });
  });

  it('a token valid for longer than JWT_MAX_TTL_SECONDS, or issued in the future', async () => {
    const header = b64({ alg: 'HS256', typ: 'JWT' });
    const call = (claims: object) => {
      const payload = b64({ sub: 'c-1', role: 'customer', iss: 'mealpeak', ...claims });
      const signature = createHmac('sha256', DEV_JWT_SECRET)
        .update(`${header}.${payload}`)
        .digest('base64url');
      return h.call({
        url: '/v1/orders',
        headers: { authorization: `Bearer ${header}.${payload}.${signature}` },
      });
    };
    const now = Math.floor(Date.now() / 1000);
    const forever = await call({ exp: 1e300 });
    expect(forever.statusCode).toBe(401);
    expect(forever.json()).toMatchObject({ message: 'token is valid for longer than 86400 s' });
    expect((await call({ exp: now + 2 * 86_400 })).statusCode).toBe(401);
    expect((await call({ exp: now + 86_000 })).statusCode).toBe(200);
    const fromTheFuture = await call({ exp: now + 3_600, iat: now + 36_000 });
    expect(fromTheFuture.json()).toMatchObject({ message: 'token was issued in the future (iat)' });
    expect((await call({ exp: now + 3_600, iat: now + 30 })).statusCode).toBe(200);
  });

  it('an iat that is not a number', async () => {
    const header = b64({ alg: 'HS256', typ: 'JWT' });
    const now = Math.floor(Date.now() / 1000);
    const call = (iat: unknown) => {
      const payload = b64({ sub: 'c-1', role: 'customer', iss: 'mealpeak', exp: now + 600, iat });
      const signature = createHmac('sha256', DEV_JWT_SECRET)
        .update(`${header}.${payload}`)
        .digest('base64url');
      return h.call({
        url: '/v1/orders',
        headers: { authorization: `Bearer ${header}.${payload}.${signature}` },
      });
    };
    for (const iat of [String(now + 36_000), String(now), null, [now]]) {
      const res = await call(iat);
      expect(res.statusCode, JSON.stringify(iat)).toBe(401);
      expect(res.json()).toMatchObject({ code: 'UNAUTHENTICATED', message: 'token has an invalid iat' });
    }
    expect((await call(now)).statusCode).toBe(200);
  });

  it('a token naming an audience is not refused for it while JWT_AUDIENCE is unset', async () => {
    // Identity providers write aud into every token: refusing it by default would log everyone out
    // on upgrade. Production sets JWT_AUDIENCE (docs/operations.md), and then it must match.
    const token = h.app.jwt.sign({ sub: 'c-1', role: 'customer' }, { expiresIn: 600, aud: 'billing' });
    const res = await h.call({ url: '/v1/orders', headers: { authorization: `Bearer ${token}` } });
    expect(res.statusCode).toBe(200);
  });

  it('no issuer claim, correctly signed', async () => {
    // Signed by hand: the gateway's signer always adds iss.
    const header = b64({ alg: 'HS256', typ: 'JWT' });
    const payload = b64({ sub: 'c-1', role: 'customer', exp: future() });
    const signature = createHmac('sha256', DEV_JWT_SECRET).update(`${header}.${payload}`).digest('base64url');
    const res = await h.call({
      url: '/v1/orders',
      headers: { authorization: `Bearer ${header}.${payload}.${signature}` },
    });
    expect(res.statusCode).toBe(401);
    expect(res.json()).toMatchObject({ code: 'UNAUTHENTICATED', message: 'token has no iss claim' });
    // The same claims with the issuer are accepted: only the missing iss made the difference.
    const withIss = b64({ sub: 'c-1', role: 'customer', iss: 'mealpeak', exp: future() });
    const signed = createHmac('sha256', DEV_JWT_SECRET).update(`${header}.${withIss}`).digest('base64url');
    const accepted = await h.call({
      url: '/v1/orders',
      headers: { authorization: `Bearer ${header}.${withIss}.${signed}` },
    });
    expect(accepted.statusCode).toBe(200);
  });

  it('no expiry claim', async () => {
    const token = h.app.jwt.sign({ sub: 'c-1', role: 'customer' });
    const res = await h.call({ url: '/v1/orders', headers: { authorization: `Bearer ${token}` } });
    expect(res.statusCode).toBe(401);
    expect(res.json()).toMatchObject({ code: 'UNAUTHENTICATED', message: 'token has no exp claim' });
  });

  it('an expired token, with a message that says so', async () => {
    const past = Math.floor(Date.now() / 1000) - 60;
    const token = h.app.jwt.sign({ sub: 'c-1', role: 'customer', exp: past } as never);
    const res = await h.call({ url: '/v1/orders', headers: { authorization: `Bearer ${token}` } });
    expect(res.statusCode).toBe(401);
    expect(res.json()).toMatchObject({ code: 'UNAUTHENTICATED', message: 'token expired' });
  });
});

describe('with JWT_AUDIENCE set', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness({ env: { JWT_AUDIENCE: 'mealpeak-api' } });
  });
  afterAll(() => h.close());

  const get = (token: string) => h.call({ url: '/v1/orders', headers: { authorization: `Bearer ${token}` } });

  it('signs its dev tokens for the audience and accepts them', async () => {
    const issued = await h.call({
      method: 'POST',
      url: '/v1/dev/tokens',
      payload: { role: 'customer', sub: 'c-1' },
    });
    expect(issued.statusCode).toBe(201);
    const token = issued.json<{ token: string }>().token;
    expect(h.app.jwt.decode<{ aud: unknown }>(token)?.aud).toBe('mealpeak-api');
    expect((await get(token)).statusCode).toBe(200);
  });

  it('refuses a token for another audience, or for none', async () => {
    const other = h.app.jwt.sign({ sub: 'c-1', role: 'customer' }, { expiresIn: 600, aud: 'billing' });
    expect((await get(other)).json()).toMatchObject({
      code: 'UNAUTHENTICATED',
      message: 'token is for another audience (aud)',
    });
    const header = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url');
    const payload = Buffer.from(
      JSON.stringify({
        sub: 'c-1',
        role: 'customer',
        iss: 'mealpeak',
        exp: Math.floor(Date.now() / 1000) + 600,
      }),
    ).toString('base64url');
    const signature = createHmac('sha256', DEV_JWT_SECRET).update(`${header}.${payload}`).digest('base64url');
    const none = await get(`${header}.${payload}.${signature}`);
    expect(none.statusCode).toBe(401);
    expect(none.json()).toMatchObject({ message: 'token has no aud claim' });
  });
});
