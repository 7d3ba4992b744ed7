import { afterAll, describe, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { EchoServiceClient, EchoServiceService } from '@mealpeak/contracts/testing.v1';
import { eventually, spawnTs, type SpawnedProcess } from '@mealpeak/testing';
import { call, createGrpcClient } from '../src/index.ts';

const serverEntry = fileURLToPath(new URL('./echo-server.ts', import.meta.url));

// A replica that freezes (SIGSTOP here; a hung event loop or a lost node in production) sends
// no FIN or RST: round_robin keeps picking its connection, and every such call runs into its
// deadline, until a keepalive ping goes unanswered.
describe('a frozen replica', () => {
  const procs: SpawnedProcess[] = [];
  let client: EchoServiceClient | undefined;
  afterAll(() => {
    client?.close();
    for (const p of procs) {
      p.child.kill('SIGCONT');
      p.child.kill('SIGKILL');
    }
  });

  async function startServer(): Promise<{ proc: SpawnedProcess; port: string }> {
    const proc = spawnTs(serverEntry);
    procs.push(proc);
    const m = await proc.waitForLine(/^listening (\d+)$/);
    return { proc, port: m[1]! };
  }

  it('leaves the rotation within the client keepalive time plus its timeout (15 s)', async () => {
    const [a, b] = await Promise.all([startServer(), startServer()]);
    client = createGrpcClient(EchoServiceClient, EchoServiceService, {
      target: `ipv4:127.0.0.1:${a.port},127.0.0.1:${b.port}`,
      defaultDeadlineMs: 500,
      idempotent: ['echo'],
    });
    const echo = () => call(client!.echo.bind(client), { message: 'x', delayMs: 0, failWithCode: '' });
    const servedBy = async () => {
      const res = await echo();
      return res.ok ? res.value.servedBy : `error ${res.error.code}`;
    };
    await eventually(
      async () => {
        const seen = new Set(await Promise.all(Array.from({ length: 6 }, servedBy)));
        return seen.has(String(a.proc.child.pid)) && seen.has(String(b.proc.child.pid)) ? true : undefined;
      },
      10_000,
      'both replicas in the rotation',
    );

    a.proc.child.kill('SIGSTOP');
    // Every call answered by the live replica: the frozen one is out of the rotation. Keepalive
    // time 10 s + timeout 5 s (~15 s); with the old 30 s + 10 s it took 40 s, past this wait.
    await eventually(
      async () => {
        const answers = await Promise.all(Array.from({ length: 6 }, servedBy));
        return answers.every((s) => s === String(b.proc.child.pid)) ? true : undefined;
      },
      30_000,
      'calls to go to the live replica only',
    );
  });
});
