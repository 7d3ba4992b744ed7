import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

export interface ScriptCall {
  readonly keys: readonly string[];
  readonly args: readonly (string | number)[];
}

const isNoScript = (e: unknown): boolean => e instanceof Error && e.message.includes('NOSCRIPT');

/**
 * Runs a script by EVALSHA. Scripts are loaded once per runner and again after Redis lost its
 * script cache (restart, failover), which shows as NOSCRIPT on the affected calls only.
 */
export function createScriptRunner(redis: Redis, lua: string) {
  const sha = createHash('sha1').update(lua).digest('hex');
  let loaded: Promise<unknown> | undefined;
  const load = (): Promise<unknown> =>
    (loaded ??= redis.script('LOAD', lua).catch((error: unknown) => {
      loaded = undefined; // a failed load is retried by the next call
      throw error;
    }));

  async function pipelined(calls: readonly ScriptCall[]): Promise<[Error | null, unknown][]> {
    const pipe = redis.pipeline();
    for (const c of calls) pipe.evalsha(sha, c.keys.length, ...c.keys, ...c.args);
    return (await pipe.exec()) ?? [];
  }

  /** One pipeline for every call; per-call results (an Error for a call that failed). */
  async function many(calls: readonly ScriptCall[]): Promise<unknown[]> {
    await load();
    const results = await pipelined(calls);
    const missing = results.flatMap(([e], i) => (isNoScript(e) ? [i] : []));
    if (missing.length > 0) {
      loaded = undefined;
      await load();
      const retried = await pipelined(missing.map((i) => calls[i]!));
      missing.forEach((i, j) => (results[i] = retried[j] ?? [new Error('no reply'), null]));
    }
    return results.map(([e, value]) => e ?? value);
  }

  async function one(call: ScriptCall): Promise<unknown> {
    const [result] = await many([call]);
    if (result instanceof Error) throw result;
    return result;
  }

  return { many, one };
}
