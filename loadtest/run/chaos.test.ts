import { describe, expect, it } from 'vitest';
import { nthVictim, startChaos, victimName as name, type ChaosTarget } from './chaos.ts';

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
  const events: string[] = [];
  let pid = 100;
  const target: ChaosTarget = {
    replicas: 2,
    async kill(v) {
      // Never two down at once: the loop must wait for the last victim.
      expect(down.size).toBe(0);
      down.set(name(v), downPolls);
      events.push(`kill ${name(v)}`);
      return pid++;
    },
    async ready(v) {
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
  return { target, events, down };
}

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
