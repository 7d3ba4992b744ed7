/**
 * The README's run command, as a user runs it: `scripts/platform/local.ts` with nothing configured
 * (embedded PostgreSQL, in-process Kafka and Redis stand-ins). One order goes from placement to
 * delivery over the REST API, then SIGINT must stop everything and free every port.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { externalIPv4, reachable } from '@mealpeak/testing';

const root = path.resolve(import.meta.dirname, '../..');
// All below Linux's ephemeral range (32768-60999): an outgoing connection of a test running in
// parallel can take any port in that range between our choice and the platform's bind.
// And below 22000: @mealpeak/stack hands out 22000-31999 to the stacks of other tests.
const ports = { http: 18_180, ops: 19_460, grpc: 21_151, pg: 21_437 };
const base = `http://127.0.0.1:${ports.http}`;
const CENTRE = { lat: 52.52, lng: 13.405 }; // Berlin Mitte, the demo city
const RIDERS = 5;

let platform: ChildProcess;
let output = '';
let dataDir: string;

async function api(method: string, url: string, token?: string, body?: unknown) {
  const res = await fetch(`${base}${url}`, {
    method,
    headers: {
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(method === 'POST' ? { 'idempotency-key': randomUUID() } : {}),
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}
const token = async (role: string, sub: string): Promise<string> =>
  (await api('POST', '/v1/dev/tokens', undefined, { role, sub })).body.token as string;

async function until<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${output.slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

describe('pnpm start (zero-setup local platform)', () => {
  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'mealpeak-local-'));
    chmodSync(dataDir, 0o755); // as root, PostgreSQL runs as the postgres user and must enter it
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      HTTP_PORT: String(ports.http),
      OPS_PORT: String(ports.ops),
      LOCAL_GRPC_PORT_BASE: String(ports.grpc),
      EMBEDDED_PG_PORT: String(ports.pg),
      EMBEDDED_PG_DATA: path.join(dataDir, 'pg'),
      LOG_LEVEL: 'warn',
      // As an operator trying production's internal token locally: every internal call must
      // carry it, the seeding of the demo riders included (the delivery below needs them online).
      GRPC_INTERNAL_TOKEN: 'local-e2e-internal-token-0123456789abcdef',
    };
    // Zero setup means none of the real servers the integration tier exports.
    for (const name of ['PG_URL', 'REDIS_URL', 'KAFKA_BROKERS']) delete env[name];
    platform = spawn(
      process.execPath,
      ['--import', '@mealpeak/telemetry/register', 'scripts/platform/local.ts', '--riders', String(RIDERS)],
      { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    platform.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    platform.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    await until('the platform to start', 150_000, async () => {
      if (platform.exitCode !== null) throw new Error(`the platform exited early:\n${output}`);
      return output.includes('mealpeak is running') ? true : undefined;
    });
  }, 180_000);

  afterAll(() => {
    if (platform.exitCode === null) platform.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('prints where to look, and seeds the demo city', async () => {
    expect(output).toContain(`${base}/v1`);
    expect(output).toContain(`http://127.0.0.1:${ports.ops}/metrics`);
    expect(output).toContain('in-memory bus');
    expect(output).toMatch(new RegExp(`\\d+ merchants, \\d+ dishes, ${RIDERS} riders on shift`));
    const metrics = await fetch(`http://127.0.0.1:${ports.ops}/metrics`);
    expect(metrics.status).toBe(200);
  });

  const external = externalIPv4();
  it.skipIf(!external)('listens on this machine only: the REST API (dev tokens!) and ops too', async () => {
    expect(await reachable('127.0.0.1', ports.http)).toBe(true);
    for (const port of [ports.http, ports.ops, ports.grpc])
      expect(await reachable(external!, port)).toBe(false);
  });

  it('takes one order from placement to delivery over the REST API', async () => {
    const customer = await token('customer', 'local-e2e-customer');
    const nearby = await api(
      'GET',
      `/v1/merchants?lat=${CENTRE.lat}&lng=${CENTRE.lng}&radiusM=5000&pageSize=50`,
      customer,
    );
    expect(nearby.status, JSON.stringify(nearby.body)).toBe(200);
    const merchantId = nearby.body.merchants[0].id as string;
    const menu = (await api('GET', `/v1/merchants/${merchantId}`, customer)).body.menu as { id: string }[];
    const placed = await api('POST', '/v1/orders', customer, {
      merchantId,
      lines: [{ itemId: menu[0]!.id, quantity: 1 }],
      dropoff: { lat: CENTRE.lat + 0.005, lng: CENTRE.lng },
      dropoffAddress: 'Teststr. 1, Berlin',
    });
    expect(placed.status, JSON.stringify(placed.body)).toBe(201);
    const orderId = placed.body.id as string;

    const merchant = await token('merchant', merchantId);
    expect((await api('POST', `/v1/merchant/orders/${orderId}/accept`, merchant)).status).toBe(200);
    expect((await api('POST', `/v1/merchant/orders/${orderId}/ready`, merchant)).status).toBe(200);

    // The seeded riders (demo-rider-0001..N) are online near the centre: one of them gets the offer.
    const riders = await Promise.all(
      Array.from({ length: RIDERS }, (_, i) =>
        token('rider', `demo-rider-${String(i + 1).padStart(4, '0')}`),
      ),
    );
    const { rider, offerId } = await until('a rider offer for the order', 60_000, async () => {
      for (const rider of riders) {
        const offer = (await api('GET', '/v1/rider/offer', rider)).body?.offer as
          { offerId: string; orderIds: string[] } | null | undefined;
        if (offer?.orderIds.includes(orderId)) return { rider, offerId: offer.offerId };
      }
      return undefined;
    });
    expect((await api('POST', `/v1/rider/offers/${offerId}/accept`, rider)).status).toBe(200);
    expect((await api('POST', `/v1/rider/orders/${orderId}/picked-up`, rider)).status).toBe(200);
    expect((await api('POST', `/v1/rider/orders/${orderId}/delivered`, rider)).status).toBe(200);

    const final = await until('the customer to see DELIVERED', 15_000, async () => {
      const order = await api('GET', `/v1/orders/${orderId}`, customer);
      return order.body?.state === 'DELIVERED' ? order.body : undefined;
    });
    expect(final.state).toBe('DELIVERED');
  }, 120_000);

  it('stops on Ctrl-C (SIGINT) and leaves no process or port behind', async () => {
    const exited = new Promise<number | null>((resolve) => platform.once('exit', (code) => resolve(code)));
    platform.kill('SIGINT');
    expect(await exited).toBe(0);
    for (const port of [ports.http, ports.ops, ports.grpc, ports.grpc + 1, ports.grpc + 2, ports.pg])
      expect(await portIsFree(port), `port ${port} still taken`).toBe(true);
    expect(existsSync(path.join(dataDir, 'pg', 'postmaster.pid'))).toBe(false);
  }, 60_000);
});
