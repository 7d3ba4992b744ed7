import { fileURLToPath } from 'node:url';
import { Pool } from 'undici';
import { spawnTs } from '@mealpeak/testing';
import { findMaxRate, type RunResult } from './open-model.ts';

const server = fileURLToPath(new URL('./ceiling-server.ts', import.meta.url));

/** Max sustainable rate of POST /v1/orders against a ceiling server (constant or INSERT). */
export async function measureCeiling(
  mode: 'constant' | 'insert',
  pgUrl: string,
  stepS: number,
): Promise<RunResult | undefined> {
  const proc = spawnTs(server, {}, mode === 'insert' ? ['insert', pgUrl] : ['constant']);
  try {
    const m = await proc.waitForLine(/^listening (\d+)$/);
    const pool = new Pool(`http://127.0.0.1:${m[1]}`, { connections: 128 });
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
    const { max } = await findMaxRate(500, stepS, fire);
    await pool.close();
    return max;
  } finally {
    proc.kill('SIGKILL');
  }
}
