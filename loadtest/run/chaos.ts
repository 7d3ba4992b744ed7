/**
 * Chaos during a load test (`pnpm loadtest:<scenario> --chaos S`): every S seconds one replica is
 * killed with SIGKILL, as a node failure or an OOM kill would, and the replica mode's supervisor
 * starts it again, as a Deployment would. One process at a time: the next kill waits until the last
 * victim answers /readyz again, so the run proves the platform's promise that a crash or restart
 * of any one process loses no accepted order and no event (the business check after the run).
 *
 * Victims rotate over the services (order, merchant, rider-dispatch, gateway), then over replica
 * indexes, so a short run hits every service and runs are comparable.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { ServiceName, Stack } from '@mealpeak/stack';

export const CHAOS_SERVICES: readonly ServiceName[] = ['order', 'merchant', 'rider-dispatch', 'gateway'];

export interface Victim {
  service: ServiceName;
  index: number;
}

/** The n-th victim (from 0): every service once at replica 0, then every service at replica 1, ... */
export function nthVictim(n: number, replicas: number): Victim {
  const service = CHAOS_SERVICES[n % CHAOS_SERVICES.length]!;
  const index = Math.floor(n / CHAOS_SERVICES.length) % replicas;
  return { service, index };
}

export interface ChaosKill {
  replica: string;
  pid: number | undefined;
  /** Seconds since the chaos started (the load test's start). */
  atS: number;
  /** Seconds until the replica answered /readyz again; undefined when it had not by the end. */
  recoveredAfterS: number | undefined;
}

export interface ChaosTarget {
  replicas: number;
  /** Kills one replica (SIGKILL) and resolves when it has exited; the pid it had. */
  kill(victim: Victim): Promise<number | undefined>;
  /** Whether the replica is up again and ready (its /readyz answers 200). */
  ready(victim: Victim): Promise<boolean>;
}

/** The replica mode's processes as chaos targets: SIGKILL, and /readyz on the ops port. */
export function stackTarget(stack: Stack, replicas: number): ChaosTarget {
  const find = (v: Victim) => {
    const r = stack.replicas.find((x) => x.service === v.service && x.index === v.index);
    if (!r) throw new Error(`no replica ${v.service}-${v.index}`);
    return r;
  };
  return {
    replicas,
    async kill(v) {
      const pid = find(v).process.pid;
      await stack.kill(v.service, v.index, 'SIGKILL');
      return pid;
    },
    async ready(v) {
      const response = await fetch(`http://127.0.0.1:${find(v).opsPort}/readyz`, {
        signal: AbortSignal.timeout(1_000),
      }).catch(() => undefined);
      await response?.body?.cancel();
      return response?.ok ?? false;
    },
  };
}

export interface Chaos {
  /** Stops killing; waits for a victim that is coming back (up to `waitMs`); every kill made. */
  stop(waitMs?: number): Promise<ChaosKill[]>;
}

export function startChaos(o: {
  target: ChaosTarget;
  everyMs: number;
  log: (line: string) => void;
  pollMs?: number;
}): Chaos {
  const started = Date.now();
  const kills: ChaosKill[] = [];
  const abort = new AbortController();
  const pollMs = o.pollMs ?? 250;
  const since = (t: number) => (Date.now() - t) / 1000;

  const run = async () => {
    for (let n = 0; ; n++) {
      await sleep(o.everyMs, undefined, { signal: abort.signal });
      const victim = nthVictim(n, o.target.replicas);
      const name = `${victim.service}-${victim.index}`;
      const killedAt = Date.now();
      const pid = await o.target.kill(victim);
      const kill: ChaosKill = {
        replica: name,
        pid,
        atS: (killedAt - started) / 1000,
        recoveredAfterS: undefined,
      };
      kills.push(kill);
      o.log(`chaos: SIGKILL ${name} (pid ${pid ?? '-'}) at ${kill.atS.toFixed(0)} s`);
      // Only one process down at a time: wait for this one before counting to the next.
      while (!(await o.target.ready(victim))) await sleep(pollMs, undefined, { signal: abort.signal });
      kill.recoveredAfterS = since(killedAt);
      o.log(`chaos: ${name} ready again after ${kill.recoveredAfterS.toFixed(1)} s`);
    }
  };
  const running = run().catch((error: unknown) => {
    if (!abort.signal.aborted) o.log(`chaos stopped: ${(error as Error).message}`);
  });

  return {
    async stop(waitMs = 30_000) {
      const last = kills.at(-1);
      if (last && last.recoveredAfterS === undefined) {
        // Give the last victim its restart: the drain and the business check need every service.
        const until = Date.now() + waitMs;
        while (last.recoveredAfterS === undefined && Date.now() < until) await sleep(pollMs);
      }
      abort.abort();
      await running;
      return kills;
    },
  };
}
