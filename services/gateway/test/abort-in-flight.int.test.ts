import { connect, createServer, type Server, type Socket } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTestRedis, type TestRedis } from '@mealpeak/testing';
import { createRedis, type Redis } from '@mealpeak/redis';
import { createLogger } from '@mealpeak/telemetry';
import { createHarness, type Harness } from './support/harness.ts';
import { eventually } from './support/poll.ts';

const silent = createLogger({ service: 'gateway-test', level: 'silent' });
let fixture: TestRedis;
let redis: Redis;
let proxy: Server;
let h: Harness | undefined;
const sockets: Socket[] = [];

/** Redis behind a proxy that delays its replies by 100 ms: a Redis round trip under load. */
beforeAll(async () => {
  fixture = await createTestRedis();
  const target = new URL(fixture.url);
  proxy = createServer((client) => {
    const upstream = connect(Number(target.port), target.hostname);
    sockets.push(client, upstream);
    client.on('data', (d) => upstream.write(d));
    upstream.on('data', (d) => setTimeout(() => client.writable && client.write(d), 100));
    client.on('error', () => undefined);
    upstream.on('error', () => undefined);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
  const url = new URL(fixture.url);
  url.port = String((proxy.address() as { port: number }).port);
  redis = createRedis({ url: url.toString(), keyPrefix: fixture.prefix, logger: silent });
  await redis.connect();
});
afterEach(async () => {
  await h?.close();
});
afterAll(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  redis?.disconnect();
  proxy?.close();
  await fixture?.cleanup();
});

describe('a client gone while the rate limiter asks Redis', () => {
  it('gives its in-flight slot back (MAX_IN_FLIGHT is not worn down by aborts)', async () => {
    h = await createHarness({ env: { MAX_IN_FLIGHT: '5' }, rateLimitRedis: redis });
    await h.app.listen({ host: '127.0.0.1', port: 0 });
    const port = (h.app.server.address() as { port: number }).port;
    const token = h.token('customer', 'c-1');
    for (let i = 0; i < 5; i++) {
      const socket = connect(port, '127.0.0.1');
      sockets.push(socket);
      socket.on('error', () => undefined);
      await new Promise((r) => socket.once('connect', r));
      socket.write(`GET /v1/orders HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\n\r\n`);
      await eventually(async () => (h!.app.admission.inFlightOf('customer:c-1') === 1 ? true : undefined));
      socket.destroy();
      await eventually(async () => (h!.app.admission.inFlightOf('customer:c-1') === 0 ? true : undefined));
    }
    // Each one was counted once its hooks were through (the client already gone), and released:
    // a 'close' listener added then never ran, and five such clients took every slot for ever.
    await eventually(async () => (h!.app.admission.inFlight() === 0 ? true : undefined));
    const res = await h.call({ url: '/v1/orders', as: ['customer', 'c-2'] });
    expect(res.statusCode).toBe(200);
  });
});
