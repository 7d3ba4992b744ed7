import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from './support/harness.ts';

/**
 * Requests Node's HTTP parser refuses before fastify sees them, sent over a raw socket to a
 * listening gateway (inject() cannot send them): still the one error shape, and the connection
 * is closed.
 */

let h: Harness;
let port: number;
beforeAll(async () => {
  h = await createHarness();
  await h.app.listen({ host: '127.0.0.1', port: 0 });
  const address = h.app.server.address();
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  port = address.port;
});
afterAll(() => h.close());

/** Writes the raw request and reads until the server closes the connection. */
function raw(request: string): Promise<{ status: number; headers: string; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (c) => chunks.push(c));
    // The server closes as soon as it has answered; the rest of a long request may meet a reset.
    socket.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'ECONNRESET' && error.code !== 'EPIPE') reject(error);
    });
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const [head = '', body = ''] = text.split('\r\n\r\n', 2);
      resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1]), headers: head, body });
    });
    socket.end(request);
  });
}

describe('requests the HTTP parser refuses', () => {
  it.each([
    [
      'a URL over the 16 KB header limit',
      `GET /v1/${'a'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`,
      431,
      'HEADERS_TOO_LARGE',
    ],
    ['an unknown method', 'FOO /v1/orders HTTP/1.1\r\nHost: x\r\n\r\n', 400, 'BAD_REQUEST'],
    ['a broken request line', 'GET\r\n\r\n', 400, 'BAD_REQUEST'],
  ])('%s -> %i %s in the error shape, connection closed', async (_name, request, status, code) => {
    const res = await raw(request);
    expect(res.status).toBe(status);
    expect(res.headers).toMatch(/\r\ncontent-type: application\/json/i);
    expect(res.headers).toMatch(/\r\nconnection: close/i);
    const body = JSON.parse(res.body) as Record<string, unknown>;
    expect(body).toEqual({ code, message: expect.any(String), requestId: expect.any(String) });
    expect(res.headers).toContain(`x-request-id: ${String(body['requestId'])}`);
  });

  it('still serves well-formed requests on new connections', async () => {
    const res = await raw('GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    expect(res.status).toBe(200);
  });
});

describe('a body that never finishes arriving', () => {
  let slow: Harness;
  let slowPort: number;
  beforeAll(async () => {
    slow = await createHarness({
      env: {
        REQUEST_TIMEOUT_MS: '1500',
        PLACE_ORDER_DEADLINE_MS: '1000',
        GRPC_DEADLINE_MS: '1000',
        CONNECTION_TIMEOUT_MS: '5000',
      },
    });
    await slow.app.listen({ host: '127.0.0.1', port: 0 });
    slowPort = (slow.app.server.address() as { port: number }).port;
  });
  afterAll(() => slow.close());

  it('is 408 CLIENT_TIMEOUT (the client at fault), not 504 REQUEST_TIMEOUT, and closes the connection', async () => {
    const text = await new Promise<string>((resolve) => {
      const socket = connect(slowPort, '127.0.0.1');
      const chunks: Buffer[] = [];
      socket.on('data', (c) => chunks.push(c));
      socket.on('error', () => undefined);
      socket.on('close', () => resolve(Buffer.concat(chunks).toString('utf8')));
      // Content-Length promises 100 bytes; 10 come, and the socket stays open.
      socket.write(
        'PUT /v1/merchant/status HTTP/1.1\r\nHost: x\r\n' +
          `Authorization: Bearer ${slow.token('merchant', 'm-1')}\r\n` +
          'Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{"status":',
      );
      setTimeout(() => socket.destroy(), 10_000);
    });
    const [head = '', body = ''] = text.split('\r\n\r\n', 2);
    expect(head).toMatch(/^HTTP\/1\.1 408 /);
    expect(head).toMatch(/\r\nconnection: close/i);
    expect(JSON.parse(body)).toMatchObject({ code: 'CLIENT_TIMEOUT', requestId: expect.any(String) });
  }, 15_000);
});
