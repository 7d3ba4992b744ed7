import { fileURLToPath } from 'node:url';
import { Pool } from 'undici';
import { withAdmin } from '@mealpeak/db';
import { spawnTs, type SpawnedProcess } from '@mealpeak/testing';
import { cpuMeter, microsPerOrder, settle } from './cpu-by-process.ts';
import { findMaxRate, LEAD_IN_S, runOpenModel, type RunResult } from './open-model.ts';

const server = fileURLToPath(new URL('./ceiling-server.ts', import.meta.url));

export type CeilingMode = 'constant' | 'insert' | 'skeleton';

/** A run's ceiling-server processes, each with the pipeline service it stands in for. */
type Running = Map<SpawnedProcess, string>;

/** Starts a ceiling-server process and resolves with its port. */
async function startServer(args: string[], running: Running, role: string): Promise<string> {
  const proc = spawnTs(server, {}, args);
  running.set(proc, role);
  const m = await proc.waitForLine(/^listening (\d+)$/);
  return m[1]!;
}

/**
 * Max sustainable rate of POST /v1/orders against a ceiling: fastify answering a constant,
 * fastify doing one INSERT, or the skeleton (fastify -> gRPC -> gRPC -> INSERT, three processes:
 * the pipeline's shape and transports without its work). With `cpuAtRate`, first a run at that
 * fixed rate measuring the CPU per request of each process (named like the pipeline's services).
 */
export async function measureCeiling(
  mode: CeilingMode,
  pgUrl: string,
  stepS: number,
  cpuAtRate?: number,
): Promise<{ max: RunResult | undefined; cpu: [string, number][] }> {
  const running: Running = new Map();
  try {
    let port: string;
    if (mode === 'skeleton') {
      const leaf = await startServer(['skeleton-leaf', pgUrl], running, 'merchant');
      const relay = await startServer(['skeleton-relay', `127.0.0.1:${leaf}`], running, 'order');
      port = await startServer(['skeleton-front', `127.0.0.1:${relay}`], running, 'gateway');
    } else {
      port = await startServer(mode === 'insert' ? ['insert', pgUrl] : ['constant'], running, 'server');
    }
    const pool = new Pool(`http://127.0.0.1:${port}`, { connections: 128 });
    const body = JSON.stringify({
      merchantId: 'm-1',
      lines: [{ itemId: 'i-1', quantity: 1 }],
      dropoff: { lat: 31.2, lng: 121.4 },
      dropoffAddress: 'x',
    });
    const fire = async () => {
      const res = await pool.request({
        method: 'POST',
        path: '/v1/orders',
        headers: { 'content-type': 'application/json' },
        body,
      });
      await res.body.dump();
      return res.statusCode;
    };
    process.stderr.write(`ceiling "${mode}":\n`);
    // The same warm-up as the pipeline gets (JIT, connection pools), then a quiet machine.
    await runOpenModel(200, 10, fire);
    await settle();
    let cpu: [string, number][] = [];
    if (cpuAtRate) {
      const meter = cpuMeter(new Map([...running].map(([proc, role]) => [proc.child.pid ?? -1, role])));
      let before = meter();
      const fixed = await runOpenModel(cpuAtRate, stepS * 2, fire, {
        leadInS: LEAD_IN_S,
        onMeasuring: () => (before = meter()),
      });
      cpu = microsPerOrder(before, meter(), fixed.ok);
      await settle();
    }
    const { max } = await findMaxRate(500, stepS, fire);
    await pool.close();
    return { max, cpu };
  } finally {
    for (const proc of running.keys()) proc.kill('SIGKILL');
    if (mode !== 'constant') await leaveNoTrace(pgUrl);
  }
}

/**
 * A ceiling leaves hundreds of thousands of rows and a backlog of dirty pages behind; the next
 * measurement (the pipeline above all) must not pay for them through autovacuum and a checkpoint
 * running under it. So: drop the table and flush now. CHECKPOINT needs superuser or pg_checkpoint
 * (the infra script's user has it); elsewhere the flush is skipped.
 */
function leaveNoTrace(pgUrl: string): Promise<void> {
  return withAdmin(pgUrl, async (c) => {
    await c.query('DROP TABLE IF EXISTS ceiling_orders');
    await c.query('CHECKPOINT').catch(() => undefined);
  });
}
