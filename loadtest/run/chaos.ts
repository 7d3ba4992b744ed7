/**
 * Chaos during a load test (`pnpm loadtest:<scenario> --chaos S`): every S seconds one replica is
 * killed with SIGKILL, as a node failure or an OOM kill would, and the replica mode's supervisor
 * starts it again, as a Deployment would. One process at a time: the next kill waits until the last
 * victim answers /readyz again, so the run proves the platform's promise that a crash or restart
 * of any one process loses no accepted order and no event (the business check after the run).
 *
 * Victims rotate over the services (order, merchant, rider-dispatch, gateway), then over replica
 * indexes, so a short run hits every service and runs are comparable. With `--chaos-infra` the
 * infra script's servers join the rotation (PostgreSQL, Redis, Kafka: SIGKILL, then
 * `scripts/infra up`), each once per round.
 *
 * With `--chaos-freeze F` a victim is frozen instead (SIGSTOP for F seconds, then SIGCONT), as a
 * hung event loop, a long GC pause or a node cut off from the network would: no RST, no FIN, its
 * peers only see calls that never end. That is what gRPC outlier detection is for (ADR 0023).
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { isRunning, type ServiceName, type Stack } from '@mealpeak/stack';

export const CHAOS_SERVICES: readonly ServiceName[] = ['order', 'merchant', 'rider-dispatch', 'gateway'];
export const INFRA_SERVERS = ['postgres', 'redis', 'kafka'] as const;
export type InfraServer = (typeof INFRA_SERVERS)[number];

export type ReplicaVictim = { service: ServiceName; index: number };
export type Victim = ReplicaVictim | { server: InfraServer };

export const victimName = (v: Victim): string => ('server' in v ? v.server : `${v.service}-${v.index}`);

/**
 * The n-th victim (from 0): every service at replica 0 (then each of `servers`), then every
 * service at replica 1 (and the servers again), ...
 */
export function nthVictim(n: number, replicas: number, servers: readonly InfraServer[] = []): Victim {
  const round = CHAOS_SERVICES.length + servers.length;
  const slot = n % round;
  if (slot >= CHAOS_SERVICES.length) return { server: servers[slot - CHAOS_SERVICES.length]! };
  return { service: CHAOS_SERVICES[slot]!, index: Math.floor(n / round) % replicas };
}

/** One strike: a kill, or a freeze (then `resumedAtS` is set once it was resumed). */
export interface ChaosKill {
  /** `order-0`, ..., or an infra server (`postgres`, `redis`, `kafka`). */
  victim: string;
  pid: number | undefined;
  /** Seconds since the chaos started (the load test's start): killed, or frozen. */
  atS: number;
  /** Seconds until it was ready again; undefined when it was not by the end. */
  recoveredAfterS: number | undefined;
  /** A freeze: seconds since the chaos started when it was resumed (SIGCONT). */
  resumedAtS?: number;
  /** Failed requests by `status code` from this strike to the next (or the end): added by the runner. */
  failed?: Record<string, number>;
}

export interface ChaosTarget {
  replicas: number;
  /** Infra servers in the rotation too (none: the services only). */
  servers?: readonly InfraServer[];
  /** Kills one process (SIGKILL) and resolves when it has exited; the pid it had. */
  kill(victim: Victim): Promise<number | undefined>;
  /**
   * Stops one replica (SIGSTOP) that is to be resumed after `forMs`; its pid (undefined when it
   * was not running). The target also makes sure it is resumed should this process die first.
   */
  freeze(victim: ReplicaVictim, forMs: number): number | undefined;
  /** Continues a frozen replica (SIGCONT). Synchronous, so it can run in an 'exit' handler. */
  resume(victim: ReplicaVictim): void;
  /** Whether it is up again and ready (a replica's /readyz answers 200; a server's restart returned). */
  ready(victim: Victim): Promise<boolean>;
}

const execFileAsync = promisify(execFile);

/**
 * A detached shell that continues `pid` after `afterMs` unless killed first: the runner resumes
 * its frozen victim itself (on time, on stop, on exit), but a runner killed with SIGKILL cannot,
 * and a replica left stopped would outlive it (its tied SIGTERM waits for a SIGCONT that never
 * comes), holding its ports and connections. Not tied to the runner: it must survive it.
 */
export function spawnResumeGuard(pid: number, afterMs: number): ChildProcess {
  const guard = spawn(
    '/bin/sh',
    ['-c', 'sleep "$1"; kill -CONT "$2"', 'chaos-resume-guard', (afterMs / 1000).toFixed(3), String(pid)],
    { detached: true, stdio: 'ignore' },
  );
  guard.unref();
  return guard;
}

/** Ends a guard and its `sleep` (its own process group, being detached). */
export function cancelResumeGuard(guard: ChildProcess): void {
  try {
    if (guard.pid !== undefined) process.kill(-guard.pid, 'SIGKILL');
  } catch {
    // Already gone: it has fired.
  }
}

const INFRA_NAME: Record<InfraServer, string> = { postgres: 'pg', redis: 'redis', kafka: 'kafka' };
const runInfra = (script: string, ...args: string[]) =>
  execFileAsync('bash', [script, ...args], { maxBuffer: 1 << 20 });

/**
 * Whether the servers in use (PG_URL, REDIS_URL, KAFKA_BROKERS of `env`) are the ones `script`
 * (scripts/infra) runs, and up: only those may be crashed and restarted.
 */
export async function infraScriptServes(script: string, env: NodeJS.ProcessEnv): Promise<boolean> {
  const [exported, status] = await Promise.all([
    runInfra(script, 'env').catch(() => undefined),
    runInfra(script, 'status').catch(() => undefined),
  ]);
  if (!exported || !status) return false;
  const value = (name: string) => new RegExp(`^export ${name}=(.*)$`, 'm').exec(exported.stdout)?.[1];
  return ['PG_URL', 'REDIS_URL', 'KAFKA_BROKERS'].every((v) => value(v) === env[v]);
}

/**
 * The replica mode's processes as chaos targets (SIGKILL; ready when /readyz on the ops port says
 * so) and, given `infraScript`, the servers that script runs (`crash`, then `up` in the
 * background; ready when `up` has returned).
 */
export function stackTarget(stack: Stack, replicas: number, infraScript?: string): ChaosTarget {
  const find = (v: { service: ServiceName; index: number }) => {
    const r = stack.replicas.find((x) => x.service === v.service && x.index === v.index);
    if (!r) throw new Error(`no replica ${v.service}-${v.index}`);
    return r;
  };
  const restarts = new Map<InfraServer, { done: boolean; failed?: Error }>();
  // The process each frozen victim was when it froze, and its resume guard.
  const frozen = new Map<string, { process: ChildProcess; guard: ChildProcess }>();
  const infra = (...args: string[]) => {
    if (!infraScript) throw new Error('no infra script to crash servers with');
    return runInfra(infraScript, ...args);
  };
  return {
    replicas,
    ...(infraScript ? { servers: INFRA_SERVERS } : {}),
    async kill(v) {
      if ('server' in v) {
        const { stderr } = await infra('crash', INFRA_NAME[v.server]);
        const state: { done: boolean; failed?: Error } = { done: false };
        restarts.set(v.server, state);
        infra('up').then(
          () => (state.done = true),
          (error: unknown) => (state.failed = error as Error),
        );
        return Number(/pids (\d+)/.exec(stderr)?.[1]) || undefined;
      }
      const pid = find(v).process.pid;
      await stack.kill(v.service, v.index, 'SIGKILL');
      return pid;
    },
    freeze(v, forMs) {
      const child = find(v).process;
      if (!isRunning(child) || child.pid === undefined) return undefined;
      child.kill('SIGSTOP');
      // A margin over the freeze: the runner's own resume comes first whenever it is alive.
      frozen.set(victimName(v), { process: child, guard: spawnResumeGuard(child.pid, forMs + 10_000) });
      return child.pid;
    },
    resume(v) {
      const f = frozen.get(victimName(v));
      if (!f) return;
      frozen.delete(victimName(v));
      if (isRunning(f.process)) f.process.kill('SIGCONT');
      cancelResumeGuard(f.guard);
    },
    async ready(v) {
      if ('server' in v) {
        const state = restarts.get(v.server);
        if (state?.failed) throw new Error(`${v.server} did not come back: ${state.failed.message}`);
        return state?.done ?? true;
      }
      const response = await fetch(`http://127.0.0.1:${find(v).opsPort}/readyz`, {
        signal: AbortSignal.timeout(1_000),
      }).catch(() => undefined);
      await response?.body?.cancel();
      return response?.ok ?? false;
    },
  };
}

export interface Chaos {
  /** When the chaos started (epoch ms): strikes' `atS` count from here. */
  readonly startedAtMs: number;
  /**
   * Stops striking; waits for a victim that is coming back (up to `waitMs`; a frozen one is
   * resumed at the latest then); every strike made. Idempotent.
   */
  stop(waitMs?: number): Promise<ChaosKill[]>;
  /** Resumes a frozen victim at once (synchronous: for an 'exit' handler). Idempotent. */
  release(): void;
}

export function startChaos(o: {
  target: ChaosTarget;
  everyMs: number;
  /** Freeze each victim for this long instead of killing it (replicas only). */
  freezeMs?: number;
  log: (line: string) => void;
  pollMs?: number;
}): Chaos {
  const started = Date.now();
  const kills: ChaosKill[] = [];
  const abort = new AbortController();
  const pollMs = o.pollMs ?? 250;
  const since = (t: number) => (Date.now() - t) / 1000;
  let frozen: { victim: ReplicaVictim; strike: ChaosKill } | undefined;

  const release = () => {
    if (!frozen) return;
    const { victim, strike } = frozen;
    frozen = undefined;
    o.target.resume(victim);
    strike.resumedAtS = since(started);
    o.log(`chaos: SIGCONT ${strike.victim} at ${strike.resumedAtS.toFixed(0)} s`);
  };

  /** Kills or freezes `victim` and records it; a freeze returns once it has been resumed. */
  const strike = async (victim: Victim, at: number): Promise<ChaosKill> => {
    const name = victimName(victim);
    const atS = (at - started) / 1000;
    if (o.freezeMs === undefined || 'server' in victim) {
      const pid = await o.target.kill(victim);
      const kill: ChaosKill = { victim: name, pid, atS, recoveredAfterS: undefined };
      kills.push(kill);
      o.log(`chaos: SIGKILL ${name} (pid ${pid ?? '-'}) at ${atS.toFixed(0)} s`);
      return kill;
    }
    const pid = o.target.freeze(victim, o.freezeMs);
    const kill: ChaosKill = { victim: name, pid, atS, recoveredAfterS: undefined };
    frozen = { victim, strike: kill };
    kills.push(kill);
    o.log(`chaos: SIGSTOP ${name} (pid ${pid ?? '-'}) at ${atS.toFixed(0)} s for ${o.freezeMs / 1000} s`);
    try {
      await sleep(o.freezeMs, undefined, { signal: abort.signal });
    } finally {
      // On time, or at once when the chaos is stopped: a freeze never outlives the chaos.
      release();
    }
    return kill;
  };

  const run = async () => {
    for (let n = 0; ; n++) {
      await sleep(o.everyMs, undefined, { signal: abort.signal });
      // Servers only in a kill's rotation (main.ts refuses --chaos-freeze with --chaos-infra).
      const victim = nthVictim(n, o.target.replicas, o.freezeMs === undefined ? o.target.servers : []);
      const at = Date.now();
      const kill = await strike(victim, at);
      // Only one process down at a time: wait for this one before counting to the next.
      while (!(await o.target.ready(victim))) await sleep(pollMs, undefined, { signal: abort.signal });
      kill.recoveredAfterS = since(at);
      o.log(`chaos: ${kill.victim} ready again after ${kill.recoveredAfterS.toFixed(1)} s`);
    }
  };
  const running = run().catch((error: unknown) => {
    if (!abort.signal.aborted) o.log(`chaos stopped: ${(error as Error).message}`);
  });

  const stop = async (waitMs: number) => {
    const last = kills.at(-1);
    if (last && last.recoveredAfterS === undefined) {
      // Give the last victim its restart (or the rest of its freeze): the drain and the business
      // check need every service.
      const until = Date.now() + waitMs;
      while (last.recoveredAfterS === undefined && Date.now() < until) await sleep(pollMs);
    }
    abort.abort();
    release();
    await running;
    return kills;
  };
  let stopped: Promise<ChaosKill[]> | undefined;
  // The first call decides how long to wait (an interrupted run waits for nothing).
  // 90 s: a Kafka broker takes 20-50 s to come back on a 2-core machine.
  return { startedAtMs: started, stop: (waitMs = 90_000) => (stopped ??= stop(waitMs)), release };
}
