import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { EchoServiceClient, EchoServiceService } from '@mealpeak/contracts/testing.v1';
import { spawnTs, type SpawnedProcess } from '@mealpeak/testing';
import { call, checkHealth, createGrpcClient } from '../src/index.ts';

const serverEntry = fileURLToPath(new URL('./echo-server.ts', import.meta.url));

async function startServer(
  env: Record<string, string> = {},
): Promise<{ proc: SpawnedProcess; target: string }> {
  const proc = spawnTs(serverEntry, env);
  const m = await proc.waitForLine(/^listening (\d+)$/);
  return { proc, target: `127.0.0.1:${m[1]}` };
}

describe('gRPC between two processes', () => {
  let server: { proc: SpawnedProcess; target: string };
  let client: EchoServiceClient;

  beforeAll(async () => {
    server = await startServer();
    client = createGrpcClient(EchoServiceClient, EchoServiceService, {
      target: server.target,
      defaultDeadlineMs: 2_000,
      idempotent: ['echo'],
    });
  });
  afterAll(() => {
    client?.close();
    server?.proc.kill('SIGKILL');
  });

  it('reports SERVING on the standard health service, per service and overall', async () => {
    expect(await checkHealth(server.target)).toBe('SERVING');
    expect(await checkHealth(server.target, 'mealpeak.testing.v1.EchoService')).toBe('SERVING');
    expect(await checkHealth(server.target, 'no.such.Service')).toBe('SERVICE_UNKNOWN');
  });

  it('answers a unary call from the other process', async () => {
    const res = await call(client.echo.bind(client), { message: 'hi', delayMs: 0, failWithCode: '' });
    expect(res).toEqual({ ok: true, value: { message: 'hi', servedBy: String(server.proc.child.pid) } });
  });

  it('answers INTERNAL when the answer itself cannot be built, instead of leaving the call hanging', async () => {
    // The error code goes into an ASCII metadata entry, which grpc-js refuses for 'é'.
    const res = await call(
      client.echo.bind(client),
      { message: 'x', delayMs: 0, failWithCode: 'CAFÉ' },
      { deadlineMs: 2_000 },
    );
    expect(res).toMatchObject({ ok: false, error: { kind: 'internal', code: 'INTERNAL' } });
  });

  it('answers a thrown error as UNAVAILABLE when a dependency is down, else as INTERNAL', async () => {
    const thrown = (failWithCode: string) =>
      call(client.echo.bind(client), { message: 'x', delayMs: 0, failWithCode }, { deadlineMs: 2_000 });
    expect(await thrown('THROW_DB_DOWN')).toMatchObject({
      ok: false,
      error: { kind: 'unavailable', code: 'DEPENDENCY_UNAVAILABLE' },
    });
    const bug = await thrown('THROW_BUG');
    expect(bug).toMatchObject({ ok: false, error: { kind: 'internal', code: 'INTERNAL' } });
    // Nothing of the failure leaks to the caller.
    expect(!bug.ok && bug.error.message).not.toMatch(/properties|undefined/);
  });

  it('fails with a timeout error when the deadline passes before the answer', async () => {
    const res = await call(
      client.echo.bind(client),
      { message: 'slow', delayMs: 1_000, failWithCode: '' },
      { deadlineMs: 100 },
    );
    expect(res.ok).toBe(false);
    if (!res.ok) expect(res.error.kind).toBe('timeout');
  });

  it('never lets a downstream call outlive the parent deadline', async () => {
    const parentDeadline = new Date(Date.now() + 100);
    const res = await call(
      client.echo.bind(client),
      { message: 'slow', delayMs: 1_000, failWithCode: '' },
      { deadlineMs: 5_000, parentDeadline },
    );
    expect(!res.ok && res.error.kind).toBe('timeout');
  });

  it('carries the domain error code and field errors across the hop', async () => {
    const res = await call(client.echo.bind(client), {
      message: 'x',
      delayMs: 0,
      failWithCode: 'STOCK_EXHAUSTED',
    });
    expect(res).toEqual({
      ok: false,
      error: {
        kind: 'exhausted',
        code: 'STOCK_EXHAUSTED',
        message: 'asked to fail',
        fields: [{ field: 'message', message: 'bad' }],
      },
    });
  });

  it('retries UNAVAILABLE only for methods declared idempotent', async () => {
    const retrying = await call(client.echo.bind(client), {
      message: 'flaky-1',
      delayMs: 0,
      failWithCode: 'FLAKY',
    });
    expect(retrying.ok).toBe(true);

    const plain = createGrpcClient(EchoServiceClient, EchoServiceService, {
      target: server.target,
      defaultDeadlineMs: 2_000,
      idempotent: [],
    });
    const once = await call(plain.echo.bind(plain), {
      message: 'flaky-2',
      delayMs: 0,
      failWithCode: 'FLAKY',
    });
    plain.close();
    expect(!once.ok && once.error.code).toBe('TRY_AGAIN');
  });
});

describe('graceful shutdown', () => {
  it('finishes in-flight calls, refuses new ones, and exits 0 on SIGTERM', async () => {
    const { proc, target } = await startServer();
    const client = createGrpcClient(EchoServiceClient, EchoServiceService, {
      target,
      defaultDeadlineMs: 5_000,
      idempotent: [],
    });
    try {
      // Warm the connection so the in-flight call is really in flight when the signal lands.
      expect(
        (await call(client.echo.bind(client), { message: 'warm', delayMs: 0, failWithCode: '' })).ok,
      ).toBe(true);
      const inFlight = call(client.echo.bind(client), {
        message: 'in-flight',
        delayMs: 800,
        failWithCode: '',
      });
      await new Promise((r) => setTimeout(r, 100));
      proc.kill('SIGTERM');
      await new Promise((r) => setTimeout(r, 100));
      const health = await checkHealth(target);
      expect(['NOT_SERVING', 'UNREACHABLE']).toContain(health);
      const fresh = await call(
        client.echo.bind(client),
        { message: 'late', delayMs: 0, failWithCode: '' },
        { deadlineMs: 500 },
      );
      expect(fresh.ok).toBe(false);

      const res = await inFlight;
      expect(res).toEqual({ ok: true, value: { message: 'in-flight', servedBy: String(proc.child.pid) } });
      expect(await proc.exited()).toBe(0);
    } finally {
      client.close();
      proc.kill('SIGKILL');
    }
  });

  it('answers NOT_SERVING on the health service during the drain delay, while still serving calls', async () => {
    const { proc, target } = await startServer({ ECHO_DRAIN_DELAY_MS: '1500' });
    const client = createGrpcClient(EchoServiceClient, EchoServiceService, {
      target,
      defaultDeadlineMs: 2_000,
      idempotent: [],
    });
    try {
      expect(await checkHealth(target)).toBe('SERVING');
      proc.kill('SIGTERM');
      await new Promise((r) => setTimeout(r, 300));
      // The drain: probes see NOT_SERVING (the pod leaves the endpoints) but calls still work.
      expect(await checkHealth(target)).toBe('NOT_SERVING');
      const during = await call(client.echo.bind(client), { message: 'drain', delayMs: 0, failWithCode: '' });
      expect(during.ok).toBe(true);
      expect(await proc.exited()).toBe(0);
    } finally {
      client.close();
      proc.kill('SIGKILL');
    }
  });
});

describe('the internal token (GRPC_INTERNAL_TOKEN)', () => {
  const token = 'internal-token-for-the-grpc-test-0123456789';
  let server: { proc: SpawnedProcess; target: string };
  const clients: EchoServiceClient[] = [];
  const client = (internalToken?: string) => {
    const c = createGrpcClient(EchoServiceClient, EchoServiceService, {
      target: server.target,
      defaultDeadlineMs: 2_000,
      idempotent: ['echo'],
      internalToken,
    });
    clients.push(c);
    return c;
  };
  const echo = (c: EchoServiceClient) =>
    call(c.echo.bind(c), { message: 'hi', delayMs: 0, failWithCode: '' });

  const previous = 'the-token-before-the-rotation-0123456789';

  beforeAll(async () => {
    server = await startServer({ ECHO_INTERNAL_TOKEN: token, ECHO_PREVIOUS_INTERNAL_TOKEN: previous });
  });
  afterAll(() => {
    for (const c of clients) c.close();
    server?.proc.kill('SIGKILL');
  });

  it('refuses calls without it or with another one, answers those with it, and leaves health open', async () => {
    expect(await echo(client())).toMatchObject({
      ok: false,
      error: { kind: 'unauthenticated', code: 'INTERNAL_TOKEN_REQUIRED' },
    });
    expect(await echo(client(`${token.slice(0, -1)}X`))).toMatchObject({
      ok: false,
      error: { code: 'INTERNAL_TOKEN_REQUIRED' },
    });
    expect(await echo(client(token))).toMatchObject({ ok: true, value: { message: 'hi' } });
    // Mid-rotation, replicas still on the old token are answered too.
    expect(await echo(client(previous))).toMatchObject({ ok: true, value: { message: 'hi' } });
    // Kubernetes probes carry no token.
    expect(await checkHealth(server.target)).toBe('SERVING');
  });
});
