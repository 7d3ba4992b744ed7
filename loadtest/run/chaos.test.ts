import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  nthVictim,
  spawnResumeGuard,
  startChaos,
  victimName as name,
  type ChaosKill,
  type ChaosTarget,
} from './chaos.ts';
import { chaosTable } from './report-html.ts';

describe('nthVictim', () => {
  it('hits every service at replica 0, then every service at replica 1, then starts over', () => {
    const names = Array.from({ length: 9 }, (_, n) => name(nthVictim(n, 2)));
    expect(names).toEqual([
      'order-0',
      'merchant-0',
      'rider-dispatch-0',
      'gateway-0',
      'order-1',
      'merchant-1',
      'rider-dispatch-1',
      'gateway-1',
      'order-0',
    ]);
  });

  it('puts each infra server once into every round, after the services', () => {
    const names = Array.from({ length: 12 }, (_, n) => name(nthVictim(n, 2, ['postgres', 'redis', 'kafka'])));
    expect(names).toEqual([
      'order-0',
      'merchant-0',
      'rider-dispatch-0',
      'gateway-0',
      'postgres',
      'redis',
      'kafka',
      'order-1',
      'merchant-1',
      'rider-dispatch-1',
      'gateway-1',
      'postgres',
    ]);
  });
});

/** A fake platform: a killed replica is ready again after `downPolls` readiness checks. */
function fakeTarget(downPolls: number) {
  const down = new Map<string, number>();
  const frozen = new Set<string>();
  const events: string[] = [];
  let pid = 100;
  const target: ChaosTarget = {
    replicas: 2,
    freeze(v) {
      // Never two frozen (or one frozen, one down) at once.
      expect(frozen.size + down.size).toBe(0);
      frozen.add(name(v));
      events.push(`freeze ${name(v)}`);
      return pid++;
    },
    resume(v) {
      if (!frozen.delete(name(v))) return;
      events.push(`resume ${name(v)}`);
      // Resumed, it answers /readyz again after as many checks as a restarted one.
      down.set(name(v), downPolls);
    },
    async kill(v) {
      // Never two down at once: the loop must wait for the last victim.
      expect(down.size).toBe(0);
      down.set(name(v), downPolls);
      events.push(`kill ${name(v)}`);
      return pid++;
    },
    async ready(v) {
      // A frozen replica does not answer /readyz.
      if (frozen.has(name(v))) return false;
      const left = down.get(name(v));
      if (left === undefined) return true;
      if (left > 0) {
        down.set(name(v), left - 1);
        return false;
      }
      down.delete(name(v));
      events.push(`ready ${name(v)}`);
      return true;
    },
  };
  return { target, events, down, frozen };
}

const tick = () => new Promise((r) => setTimeout(r, 1));

describe('startChaos', () => {
  it('kills one replica at a time, waits for it to be ready, and reports every kill', async () => {
    const { target, events } = fakeTarget(2);
    const chaos = startChaos({ target, everyMs: 1, pollMs: 1, log: () => undefined });
    while (events.filter((e) => e.startsWith('ready')).length < 5) await new Promise((r) => setTimeout(r, 1));
    const kills = await chaos.stop();

    // Strictly alternating: kill, ready, kill, ready, ...
    const settled = events.slice(0, 10);
    settled.forEach((e, i) => expect(e.startsWith(i % 2 === 0 ? 'kill' : 'ready')).toBe(true));
    expect(kills.slice(0, 5).map((k) => k.victim)).toEqual([
      'order-0',
      'merchant-0',
      'rider-dispatch-0',
      'gateway-0',
      'order-1',
    ]);
    expect(kills.slice(0, 5).map((k) => k.pid)).toEqual([100, 101, 102, 103, 104]);
    for (const k of kills.slice(0, 5)) expect(k.recoveredAfterS).toBeGreaterThanOrEqual(0);
  });

  it('on stop, waits for a victim that is coming back', async () => {
    const { target, events, down } = fakeTarget(20);
    const chaos = startChaos({ target, everyMs: 1, pollMs: 1, log: () => undefined });
    while (events.length === 0) await new Promise((r) => setTimeout(r, 1));
    const kills = await chaos.stop(10_000);
    expect(kills).toHaveLength(1);
    expect(kills[0]!.recoveredAfterS).toBeDefined();
    expect(down.size).toBe(0);
  });

  it('reports a victim that never came back', async () => {
    const { target, events } = fakeTarget(Number.POSITIVE_INFINITY);
    const lines: string[] = [];
    const chaos = startChaos({ target, everyMs: 1, pollMs: 1, log: (l) => lines.push(l) });
    while (events.length === 0) await new Promise((r) => setTimeout(r, 1));
    const kills = await chaos.stop(20);
    expect(kills).toHaveLength(1);
    expect(kills[0]!.recoveredAfterS).toBeUndefined();
    // A second stop (the run's end after a Ctrl-C) returns the same at once.
    expect(await chaos.stop(60_000)).toBe(kills);
    expect(lines.some((l) => l.startsWith('chaos: SIGKILL order-0'))).toBe(true);
  });
});

describe('startChaos with a freeze', () => {
  it('freezes replicas in turn, resumes each before the next, never the servers, and reports it', async () => {
    const { target, events } = fakeTarget(1);
    const withServers: ChaosTarget = { ...target, servers: ['postgres', 'redis', 'kafka'] };
    const chaos = startChaos({
      target: withServers,
      everyMs: 1,
      freezeMs: 5,
      pollMs: 1,
      log: () => undefined,
    });
    while (events.filter((e) => e.startsWith('ready')).length < 5) await tick();
    const kills = await chaos.stop();

    // freeze, resume, ready, freeze, ...: one victim at a time, resumed before it can be ready.
    expect(events.slice(0, 15)).toEqual(
      ['order-0', 'merchant-0', 'rider-dispatch-0', 'gateway-0', 'order-1'].flatMap((v) => [
        `freeze ${v}`,
        `resume ${v}`,
        `ready ${v}`,
      ]),
    );
    for (const k of kills.slice(0, 5)) {
      expect(k.resumedAtS).toBeGreaterThanOrEqual(k.atS);
      expect(k.recoveredAfterS).toBeDefined();
    }
    expect(kills.slice(0, 5).map((k) => k.pid)).toEqual([100, 101, 102, 103, 104]);
  });

  it('resumes a frozen victim at once when stopped, not at the end of its freeze', async () => {
    const { target, events, frozen } = fakeTarget(0);
    const chaos = startChaos({ target, everyMs: 1, freezeMs: 3_600_000, pollMs: 1, log: () => undefined });
    while (frozen.size === 0) await tick();
    const kills = await chaos.stop(0);
    expect(frozen.size).toBe(0);
    expect(events).toEqual(['freeze order-0', 'resume order-0']);
    expect(kills[0]!.resumedAtS).toBeDefined();
  });

  it('resumes a frozen victim synchronously on release (the exit handler)', async () => {
    const { target, frozen } = fakeTarget(0);
    const chaos = startChaos({ target, everyMs: 1, freezeMs: 3_600_000, pollMs: 1, log: () => undefined });
    while (frozen.size === 0) await tick();
    chaos.release();
    expect(frozen.size).toBe(0);
    await chaos.stop(0);
  });
});

describe.runIf(process.platform === 'linux')('spawnResumeGuard', () => {
  it('continues a stopped process after its time, without the runner', async () => {
    const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    await once(child, 'spawn');
    const state = () => readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1]?.[0];
    const until = async (want: (s: string | undefined) => boolean) => {
      const deadline = Date.now() + 5_000;
      while (!want(state()) && Date.now() < deadline) await tick();
      return state();
    };
    try {
      child.kill('SIGSTOP');
      expect(await until((s) => s === 'T')).toBe('T');
      spawnResumeGuard(child.pid!, 50);
      expect(await until((s) => s !== 'T')).not.toBe('T');
    } finally {
      child.kill('SIGKILL');
    }
  });
});

describe('the report of a freeze run', () => {
  it('lists each freeze: process, pid, frozen and resumed at, ready after, failed requests by code', () => {
    const kills: ChaosKill[] = [
      {
        victim: 'order-0',
        pid: 4242,
        atS: 31,
        resumedAtS: 46,
        recoveredAfterS: 15.4,
        failed: { '0 ?': 2, '504 UPSTREAM_TIMEOUT': 37 },
      },
      { victim: 'merchant-0', pid: 4343, atS: 77, recoveredAfterS: undefined, failed: {} },
    ];
    const html = chaosTable({ everyS: 30, freezeS: 15, kills });
    expect(html).toContain('frozen (SIGSTOP) for 15 s');
    expect(html).toContain(
      '<td>0:31</td><td>order-0</td><td>4242</td><td>0:46</td><td>15.4</td><td>39: 504 UPSTREAM_TIMEOUT 37, 0 ? 2</td>',
    );
    // Never resumed, never ready: marked.
    expect(html).toContain(
      '<tr class="bad"><td>1:17</td><td>merchant-0</td><td>4343</td><td>-</td><td>never</td><td>0</td>',
    );
  });
});
