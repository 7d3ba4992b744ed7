import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { Harness } from './support/harness.ts';
import { eventually } from './support/poll.ts';
import { listeningGateway, type RawConnection } from './support/raw-client.ts';

/**
 * Slow-client abuse at the connection level, against a listening gateway (inject() has no
 * sockets): a flood of connections whose headers never finish once exhausted the process's file
 * descriptors and took it down (docs/adr/0007, addendum 2026-12).
 */

let gw: Awaited<ReturnType<typeof listeningGateway>> | undefined;
let h: Harness;
let port: number;
const sockets: Socket[] = [];
const timers: NodeJS.Timeout[] = [];

async function listening(env: Record<string, string>): Promise<void> {
  gw = await listeningGateway(env);
  ({ h, port } = gw);
}

afterEach(async () => {
  for (const t of timers.splice(0)) clearInterval(t);
  for (const s of sockets.splice(0)) s.destroy();
  await gw?.close();
});

/** A raw connection that has sent the request line and some headers, but not their end. */
function unfinishedHeaders(): Promise<RawConnection> {
  return gw!.open('GET /v1/merchants HTTP/1.1\r\nHost: x\r\n');
}

function connections(): Promise<number> {
  return new Promise((resolve, reject) =>
    h.app.server.getConnections((error, count) => (error ? reject(error) : resolve(count))),
  );
}

/** A complete request on a new connection; the status, or undefined if the connection was refused. */
function healthz(): Promise<number | undefined> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    sockets.push(socket);
    const chunks: Buffer[] = [];
    socket.on('data', (c) => chunks.push(c));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      const status = /^HTTP\/1\.1 (\d{3})/.exec(Buffer.concat(chunks).toString('utf8'))?.[1];
      resolve(status === undefined ? undefined : Number(status));
    });
    socket.end('GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
  });
}

describe('connection cap (HTTP_MAX_CONNECTIONS)', () => {
  it('closes connections beyond the cap at once, and serves again when one goes', async () => {
    // Held connections must not time out on their own meanwhile (headers timeout, default 5 s; here 10 s, past every poll below):
    // the last poll must see the server count the destroyed one out, not a timed-out one.
    await listening({ HTTP_MAX_CONNECTIONS: '3', HTTP_HEADERS_TIMEOUT_MS: '10000' });
    const held = [await unfinishedHeaders(), await unfinishedHeaders(), await unfinishedHeaders()];
    await eventually(async () => ((await connections()) === 3 ? true : undefined), 5_000, '3 connections');
    const extra = await unfinishedHeaders();
    await eventually(
      async () => (extra.isClosed() ? true : undefined),
      5_000,
      'the extra connection to close',
    );
    expect(extra.received()).toBe('');
    expect(held.some((c) => c.isClosed())).toBe(false);
    held[0]?.socket.destroy();
    // The server counts the closed connection out asynchronously: poll.
    expect(await eventually(async () => ((await healthz()) === 200 ? 200 : undefined), 5_000)).toBe(200);
  });
});

describe('headers timeout (HTTP_HEADERS_TIMEOUT_MS)', () => {
  it('answers 408 and closes a connection that trickles headers without ever finishing them', async () => {
    await listening({ HTTP_HEADERS_TIMEOUT_MS: '300' });
    const slow = await unfinishedHeaders();
    // A header line now and then keeps the socket active: only the headers timeout can end it.
    timers.push(setInterval(() => slow.socket.writable && slow.socket.write('X-a: b\r\n'), 50));
    // Node's own default would close it only after 10 s (the request timeout), checked every 30 s.
    await eventually(async () => (slow.isClosed() ? true : undefined), 5_000, 'the slow connection to close');
    expect(slow.received()).toMatch(/^HTTP\/1\.1 408 /);
    expect(await healthz()).toBe(200);
  });
});
