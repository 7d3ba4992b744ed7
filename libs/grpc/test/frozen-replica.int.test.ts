import { afterEach, describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { EchoServiceClient, EchoServiceService } from '@mealpeak/contracts/testing.v1';
import { eventually, spawnTs, type SpawnedProcess } from '@mealpeak/testing';
import { call, createGrpcClient } from '../src/index.ts';
import { OUTLIER_DETECTION } from '../src/options.ts';

const serverEntry = fileURLToPath(new URL('./echo-server.ts', import.meta.url));
const DEADLINE_MS = 500;
const INTERVAL_MS = OUTLIER_DETECTION.intervalMs;

const procs: SpawnedProcess[] = [];
const clients: EchoServiceClient[] = [];
afterEach(() => {
  for (const c of clients.splice(0)) c.close();
  for (const p of procs.splice(0)) {
    p.child.kill('SIGCONT');
    p.child.kill('SIGKILL');
  }
});

async function startServer(): Promise<{ proc: SpawnedProcess; port: string; pid: string }> {
  const proc = spawnTs(serverEntry);
  procs.push(proc);
  const m = await proc.waitForLine(/^listening (\d+)$/);
  return { proc, port: m[1]!, pid: String(proc.child.pid) };
}

function connect(...servers: { port: string }[]): EchoServiceClient {
  const client = createGrpcClient(EchoServiceClient, EchoServiceService, {
    target: `ipv4:${servers.map((s) => `127.0.0.1:${s.port}`).join(',')}`,
    defaultDeadlineMs: DEADLINE_MS,
    idempotent: ['echo'],
  });
  clients.push(client);
  return client;
}

/**
 * 20 calls at once, answered by pid or `error CODE`. With two replicas that is 10 per replica
 * per deadline, so a frozen one fails at least 10 calls in every check interval (the request
 * volume outlier detection needs), even when the poll waits for its deadlines.
 */
async function burst(
  client: EchoServiceClient,
  failWithCode = (_i: number) => '',
  size = 20,
): Promise<string[]> {
  return Promise.all(
    Array.from({ length: size }, async (_, i) => {
      const request = { message: 'x', delayMs: 0, failWithCode: failWithCode(i) };
      const res = await call(client.echo.bind(client), request);
      return res.ok ? res.value.servedBy : `error ${res.error.code}`;
    }),
  );
}

const servedByAll = (answers: string[], ...pids: string[]) =>
  pids.every((pid) => answers.includes(pid)) ? true : undefined;

// A replica that freezes (SIGSTOP here; a hung event loop or a lost node in production) sends
// no FIN or RST: round_robin alone keeps picking its connection, and every such call runs into
// its deadline, until a keepalive ping goes unanswered (~15 s). Outlier detection takes it out of
// the rotation once a check sees its calls fail (options.ts, OUTLIER_DETECTION).
describe('a frozen replica', () => {
  it('leaves the rotation within one deadline and two checks, and is back once it answers', async () => {
    const [a, b] = await Promise.all([startServer(), startServer()]);
    const client = connect(a, b);
    await eventually(async () => servedByAll(await burst(client), a.pid, b.pid), 10_000, 'both replicas');

    a.proc.child.kill('SIGSTOP');
    // ~1.5-2.5 s: the failures count at the calls' deadline, then one or two checks. Keepalive
    // alone (10 s + 5 s) took ~15 s here; this deadline leaves room for a busy machine only.
    await eventually(
      async () => ((await burst(client)).every((s) => s === b.pid) ? true : undefined),
      DEADLINE_MS + 2 * INTERVAL_MS + 2_500,
      'calls to go to the live replica only',
    );

    // Ejected, not dropped: it takes calls again after the ejection time.
    a.proc.child.kill('SIGCONT');
    await eventually(
      async () => servedByAll(await burst(client), a.pid),
      OUTLIER_DETECTION.baseEjectionTimeMs + 2 * INTERVAL_MS + 5_000,
      'the resumed replica back in the rotation',
    );
  });

  it('is never ejected when it is the only one: calls succeed as soon as it resumes', async () => {
    const only = await startServer();
    const client = connect(only);
    await eventually(async () => servedByAll(await burst(client), only.pid), 10_000, 'the replica');

    only.proc.child.kill('SIGSTOP');
    // Enough failing calls for three checks, each over the request volume.
    const until = Date.now() + DEADLINE_MS + 3 * INTERVAL_MS;
    while (Date.now() < until) {
      expect(await burst(client)).toContain('error GRPC_DEADLINE_EXCEEDED');
    }

    only.proc.child.kill('SIGCONT');
    // Well inside the ejection time: an ejected sole replica would answer UNAVAILABLE until then.
    await eventually(
      async () => ((await burst(client)).every((s) => s === only.pid) ? true : undefined),
      OUTLIER_DETECTION.baseEjectionTimeMs / 2,
      'calls to succeed again',
    );
  });
});

describe('a replica answering domain errors', () => {
  it('stays in the rotation though grpc-js counts its answers as failures', async () => {
    const [a, b] = await Promise.all([startServer(), startServer()]);
    const client = connect(a, b);
    await eventually(async () => servedByAll(await burst(client), a.pid, b.pid), 10_000, 'both replicas');

    // 19 answers in 20 are a domain error (RESOURCE_EXHAUSTED, as for stock), on both replicas
    // alike (round robin sends calls 0 and 1 of a burst to different replicas), for three checks
    // with far more calls than the request volume: as a flood of bad requests beside a little
    // honest traffic looks (a 90 % threshold ejected one here).
    const until = Date.now() + DEADLINE_MS + 3 * INTERVAL_MS;
    while (Date.now() < until) {
      const answers = await burst(client, (i) => (i < 2 ? '' : 'SOLD_OUT'), 40);
      expect(answers.filter((s) => s === 'error SOLD_OUT')).toHaveLength(38);
    }

    // Both still answer: an ejected one would get no call for the ejection time (10 s).
    expect(new Set(await burst(client))).toEqual(new Set([a.pid, b.pid]));
  });
});

describe('calls read after their caller gave up', () => {
  it('are refused unrun when a frozen replica wakes, not run for a caller long gone', async () => {
    const proc = spawnTs(serverEntry, { ECHO_LOG_CALLS: '1' });
    procs.push(proc);
    const port = (await proc.waitForLine(/^listening (\d+)$/))[1]!;
    const short = createGrpcClient(EchoServiceClient, EchoServiceService, {
      target: `127.0.0.1:${port}`,
      defaultDeadlineMs: 300,
      idempotent: [],
    });
    clients.push(short);
    const echo = (c: EchoServiceClient, message: string) =>
      call(c.echo.bind(c), { message, delayMs: 0, failWithCode: '' });
    expect(await echo(short, 'warm-up')).toMatchObject({ ok: true });

    proc.child.kill('SIGSTOP');
    // Sent while it is frozen: it waits in the socket until the replica wakes; the caller gives
    // up after 300 ms.
    expect(await echo(short, 'while-frozen')).toMatchObject({ ok: false });
    await new Promise((r) => setTimeout(r, 2_000));
    proc.child.kill('SIGCONT');

    const fresh = createGrpcClient(EchoServiceClient, EchoServiceService, {
      target: `127.0.0.1:${port}`,
      defaultDeadlineMs: 5_000,
      idempotent: [],
    });
    clients.push(fresh);
    expect(await echo(fresh, 'after')).toMatchObject({ ok: true });
    await proc.waitForLine(/^handled after$/);
    expect(proc.lines).not.toContain('handled while-frozen');
  });
});
