import { afterEach, describe, expect, it } from 'vitest';
import type { Harness } from './support/harness.ts';
import { eventually } from './support/poll.ts';
import { listeningGateway } from './support/raw-client.ts';

/**
 * Bodies that arrive slowly (or never), against a listening gateway: they must not hold the
 * process-wide in-flight cap, one client must not hold more than its own share, and an unknown
 * route is answered without waiting for its body (docs/adr/0007, addendum 2026-12).
 */

let gw: Awaited<ReturnType<typeof listeningGateway>> | undefined;
let h: Harness;

async function listening(env: Record<string, string>): Promise<void> {
  gw = await listeningGateway(env);
  h = gw.h;
}

afterEach(async () => {
  await gw?.close();
});

/** Headers and 10 of the 100 bytes Content-Length promises; the rest never comes. */
function slowBody(method: string, path: string, token?: string) {
  return gw!.open(
    `${method} ${path} HTTP/1.1\r\nHost: x\r\n` +
      (token ? `Authorization: Bearer ${token}\r\n` : '') +
      'Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{"status":',
  );
}

describe('an unknown route', () => {
  it('is answered 404 without reading the body, and the connection closed', async () => {
    await listening({});
    const slow = await slowBody('POST', '/v1/no-such-thing');
    // Without the early answer it would wait for the body until REQUEST_TIMEOUT_MS (10 s).
    await eventually(async () => (slow.isClosed() ? true : undefined), 5_000, 'the answer');
    const [head = '', body = ''] = slow.received().split('\r\n\r\n', 2);
    expect(head).toMatch(/^HTTP\/1\.1 404 /);
    expect(head).toMatch(/\r\nconnection: close/i);
    expect(JSON.parse(body)).toEqual({
      code: 'ROUTE_NOT_FOUND',
      message: 'no route for POST /v1/no-such-thing',
      requestId: expect.any(String),
    });
  });
});

describe('the in-flight cap (MAX_IN_FLIGHT)', () => {
  it('does not count a request whose body is still arriving', async () => {
    await listening({ MAX_IN_FLIGHT: '1' });
    await slowBody('PUT', '/v1/merchant/status', h.token('merchant', 'm-1'));
    // The slow request is admitted (held by its client) but waits for its body.
    await eventually(async () => (h.app.admission.inFlightOf('merchant:m-1') === 1 ? true : undefined));
    expect(h.app.admission.inFlight()).toBe(0);
    const res = await h.call({ url: '/v1/orders', as: ['customer', 'c-1'] });
    expect(res.statusCode).toBe(200);
  });
});

describe('per-client concurrency (MAX_IN_FLIGHT_PER_CLIENT)', () => {
  it("refuses a client's requests beyond its cap with 429 CONCURRENCY_LIMITED, not others'", async () => {
    await listening({ MAX_IN_FLIGHT_PER_CLIENT: '2' });
    const token = h.token('merchant', 'm-1');
    await slowBody('PUT', '/v1/merchant/status', token);
    await slowBody('PUT', '/v1/merchant/status', token);
    await eventually(async () => (h.app.admission.inFlightOf('merchant:m-1') === 2 ? true : undefined));
    const refused = await h.call({ url: '/v1/merchant/orders', as: ['merchant', 'm-1'] });
    expect(refused.statusCode).toBe(429);
    expect(refused.json()).toMatchObject({ code: 'CONCURRENCY_LIMITED' });
    expect(refused.headers['retry-after']).toBe('1');
    // Another merchant, and the probes, are not affected.
    expect((await h.call({ url: '/v1/merchant/orders', as: ['merchant', 'm-2'] })).statusCode).toBe(200);
    expect((await h.call({ url: '/healthz' })).statusCode).toBe(200);
  });

  it('closes the connection of a refusal whose body was never read', async () => {
    await listening({ MAX_IN_FLIGHT_PER_CLIENT: '1' });
    const token = h.token('merchant', 'm-1');
    await slowBody('PUT', '/v1/merchant/status', token);
    await eventually(async () => (h.app.admission.inFlightOf('merchant:m-1') === 1 ? true : undefined));
    const refused = await slowBody('PUT', '/v1/merchant/status', token);
    // Kept open, its body would keep the socket until REQUEST_TIMEOUT_MS (10 s) and more.
    await eventually(async () => (refused.isClosed() ? true : undefined), 5_000, 'the refusal');
    const [head = ''] = refused.received().split('\r\n\r\n', 1);
    expect(head).toMatch(/^HTTP\/1\.1 429 /);
    expect(head).toMatch(/\r\nconnection: close/i);
  });

  it('counts callers without a token by address', async () => {
    await listening({ MAX_IN_FLIGHT_PER_CLIENT: '1' });
    await slowBody('POST', '/v1/dev/tokens');
    await eventually(async () => (h.app.admission.inFlightOf('ip:127.0.0.1') === 1 ? true : undefined));
    const refused = await h.call({ url: '/v1/orders' });
    expect(refused.statusCode).toBe(429);
    expect(refused.json()).toMatchObject({ code: 'CONCURRENCY_LIMITED' });
  });
});
