import { describe, expect, it } from 'vitest';
import {
  groupProcesses,
  infraPortsFromEnv,
  microsPerOrder,
  parseCpuTotals,
  parseStat,
  readProcesses,
  type ProcInfo,
  waitForQuiet,
} from './cpu-by-process.ts';

describe('CPU by process', () => {
  it('reads ppid and utime+stime+cutime+cstime from a stat line whose command has spaces and parentheses', () => {
    const stat = '4242 (node (main) x) S 17 4242 4242 0 -1 4194304 100 0 0 0 250 50 7 3 20 0 11 0 999';
    expect(parseStat(stat)).toEqual({ ppid: 17, cpuTicks: 250 + 50 + 7 + 3 });
  });

  it('groups our services by pid and the infra servers by their ports', () => {
    const p = (pid: number, ppid: number, cmdline: string, cpuS: number): ProcInfo => ({
      pid,
      ppid,
      cmdline,
      cpuS,
    });
    const procs = [
      p(10, 1, '/usr/lib/postgresql/15/bin/postgres -D /d -p 55432 -k /s', 1),
      p(11, 10, 'postgres: mealpeak bench_1 127.0.0.1(4000) idle', 2),
      p(12, 10, 'postgres: walwriter', 0.5),
      p(20, 1, '/usr/lib/postgresql/15/bin/postgres -D /other -p 5432', 9), // another server
      p(21, 20, 'postgres: other backend', 9),
      p(30, 1, 'redis-server 127.0.0.1:56379', 0.25),
      p(31, 1, 'redis-server 127.0.0.1:6379', 9),
      p(40, 1, 'java -Xmx512m -cp /k/libs/* kafka.Kafka /k/server.properties', 3),
      p(50, 1, 'node src/main.ts', 4),
      p(51, 1, 'node src/main.ts', 5),
      p(60, 1, 'vim', 9),
    ];
    const named = new Map([
      [50, 'gateway'],
      [51, 'order'],
    ]);
    expect(Object.fromEntries(groupProcesses(procs, named, { pg: 55432, redis: 56379 }))).toEqual({
      postgres: 3.5,
      redis: 0.25,
      kafka: 3,
      gateway: 4,
      order: 5,
    });
  });

  it('finds the ports in the connection settings and divides CPU seconds by orders', () => {
    expect(
      infraPortsFromEnv({
        PG_URL: 'postgres://u:p@127.0.0.1:55432/db',
        REDIS_URL: 'redis://127.0.0.1:56379',
      }),
    ).toEqual({ pg: 55432, redis: 56379 });
    expect(infraPortsFromEnv({ PG_URL: 'not a url' })).toEqual({});
    const before = new Map([
      ['order', 1],
      ['postgres', 2],
    ]);
    const after = new Map([
      ['order', 1.5],
      ['postgres', 4],
      ['kafka', 0.1],
    ]);
    expect(microsPerOrder(before, after, 1000)).toEqual([
      ['postgres', 2000],
      ['order', 500],
      ['kafka', 100],
    ]);
  });

  it('sees this process in /proc', () => {
    const self = readProcesses().find((p) => p.pid === process.pid);
    expect(self?.cpuS).toBeGreaterThan(0);
  });

  it('reads busy and total jiffies from /proc/stat, idle and iowait not busy', () => {
    expect(parseCpuTotals('cpu  100 5 20 1000 30 1 2 3 0 0\ncpu0 50 2 10 500 15 0 1 1 0 0\n')).toEqual({
      busy: 131,
      total: 1161,
    });
    expect(parseCpuTotals('intr 1 2 3')).toEqual({ busy: 0, total: 0 });
  });

  it('waits for consecutive quiet windows, and gives up at the timeout', async () => {
    // A machine 90% busy for three windows, then 5% busy.
    const shares = [0.9, 0.9, 0.9, 0.05, 0.05, 0.05, 0.05];
    let busy = 0;
    let total = 0;
    let reads = 0;
    const read = () => {
      const share = shares[Math.min(reads - 1, shares.length - 1)] ?? 0;
      if (reads++ > 0) {
        busy += share * 100;
        total += 100;
      }
      return `cpu  ${busy} 0 0 ${total - busy} 0 0 0 0 0 0\n`;
    };
    const quiet = await waitForQuiet({ windowMs: 5, windows: 2, minMs: 0, timeoutMs: 5_000 }, read);
    expect(quiet.quiet).toBe(true);
    expect(reads).toBe(6); // the first read, three busy windows, two quiet ones

    let busyReads = 0;
    const alwaysBusy = () => `cpu  ${++busyReads * 90} 0 0 ${busyReads * 10} 0 0 0 0 0 0\n`;
    const gaveUp = await waitForQuiet({ windowMs: 5, minMs: 0, timeoutMs: 40 }, alwaysBusy);
    expect(gaveUp.quiet).toBe(false);

    const noProcStat = await waitForQuiet({ minMs: 1 }, () => undefined);
    expect(noProcStat.quiet).toBeUndefined();
  });
});
