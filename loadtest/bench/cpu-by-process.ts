/**
 * CPU time by process group, read from /proc (Linux), so a benchmark can say what one order costs
 * in each process: the services, PostgreSQL (postmaster and its backends), Redis, the Kafka broker
 * and the load generator itself. Elsewhere (no /proc) every snapshot is empty.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

export interface ProcInfo {
  readonly pid: number;
  readonly ppid: number;
  readonly cmdline: string;
  /** utime + stime + cutime + cstime, seconds: reaped children (exited backends) included. */
  readonly cpuS: number;
}

const TICKS_PER_S = 100; // USER_HZ, 100 on every Linux architecture Node supports

/** Parses /proc/<pid>/stat; the command may contain spaces and parentheses, so split after the last ')'. */
export function parseStat(stat: string): { ppid: number; cpuTicks: number } {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const n = (i: number) => Number(fields[i] ?? 0);
  // fields[0] is the state (field 3 of proc(5)); ppid is field 4, utime..cstime fields 14-17.
  return { ppid: n(1), cpuTicks: n(11) + n(12) + n(13) + n(14) };
}

export function readProcesses(): ProcInfo[] {
  if (!existsSync('/proc/self/stat')) return [];
  const out: ProcInfo[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const { ppid, cpuTicks } = parseStat(readFileSync(`/proc/${entry}/stat`, 'utf8'));
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replaceAll('\0', ' ').trim();
      out.push({ pid: Number(entry), ppid, cmdline, cpuS: cpuTicks / TICKS_PER_S });
    } catch {
      // Exited between the listing and the read.
    }
  }
  return out;
}

export interface InfraPorts {
  readonly pg?: number;
  readonly redis?: number;
}

/**
 * Which group a process belongs to: a named pid (our services, the load generator), the PostgreSQL
 * server on the given port with all its children, the Redis server on its port, the Kafka broker
 * (a JVM running kafka.Kafka: the infra script runs one). Other processes are ignored.
 */
export function groupProcesses(
  procs: readonly ProcInfo[],
  named: ReadonlyMap<number, string>,
  ports: InfraPorts,
): Map<string, number> {
  const totals = new Map<string, number>();
  const add = (group: string, s: number) => totals.set(group, (totals.get(group) ?? 0) + s);
  const postmaster = procs.find(
    (p) => /(^|\/)postgres\b/.test(p.cmdline.split(' ')[0] ?? '') && p.cmdline.includes(`-p ${ports.pg}`),
  );
  for (const p of procs) {
    const name = named.get(p.pid);
    if (name) add(name, p.cpuS);
    else if (postmaster && (p.pid === postmaster.pid || p.ppid === postmaster.pid)) add('postgres', p.cpuS);
    else if (ports.redis && p.cmdline.startsWith('redis-server') && p.cmdline.includes(`:${ports.redis}`))
      add('redis', p.cpuS);
    else if (/\bjava\b/.test(p.cmdline) && p.cmdline.includes('kafka.Kafka')) add('kafka', p.cpuS);
  }
  return totals;
}

const portOf = (url: string | undefined): number | undefined => {
  try {
    return url ? Number(new URL(url).port) || undefined : undefined;
  } catch {
    return undefined;
  }
};

/** The infra ports from the usual connection settings (PG_URL, REDIS_URL). */
export function infraPortsFromEnv(env: NodeJS.ProcessEnv): InfraPorts {
  const pg = portOf(env['PG_URL']);
  const redis = portOf(env['REDIS_URL']);
  return { ...(pg ? { pg } : {}), ...(redis ? { redis } : {}) };
}

/** CPU seconds each group used between two snapshots, divided by the orders served in between (µs). */
export function microsPerOrder(
  before: ReadonlyMap<string, number>,
  after: ReadonlyMap<string, number>,
  orders: number,
): [string, number][] {
  return [...after]
    .map(([group, s]): [string, number] => [group, ((s - (before.get(group) ?? 0)) * 1e6) / orders])
    .sort((a, b) => b[1] - a[1]);
}

/** Snapshots of CPU seconds by group: the named pids plus the infra servers of PG_URL / REDIS_URL. */
export function cpuMeter(named: ReadonlyMap<number, string>): () => Map<string, number> {
  const ports = infraPortsFromEnv(process.env);
  return () => groupProcesses(readProcesses(), new Map([[process.pid, 'load generator'], ...named]), ports);
}

/** Busy and total jiffies of the whole machine, from the first line of /proc/stat. */
export function parseCpuTotals(procStat: string): { busy: number; total: number } {
  const line = procStat.split('\n', 1)[0] ?? '';
  if (!line.startsWith('cpu ')) return { busy: 0, total: 0 };
  // user nice system idle iowait irq softirq steal (guest time is already counted in user).
  const [user, nice, system, idle, iowait, irq, softirq, steal] = line
    .slice(4)
    .trim()
    .split(/\s+/)
    .map(Number)
    .map((n) => (Number.isFinite(n) ? n : 0));
  const busy = (user ?? 0) + (nice ?? 0) + (system ?? 0) + (irq ?? 0) + (softirq ?? 0) + (steal ?? 0);
  return { busy, total: busy + (idle ?? 0) + (iowait ?? 0) };
}

export interface QuietSettings {
  /** Machine-wide busy share (0..1 over all cores) under which a window counts as quiet. */
  readonly maxBusyShare?: number;
  readonly windowMs?: number;
  /** Consecutive quiet windows needed. */
  readonly windows?: number;
  readonly minMs?: number;
  readonly timeoutMs?: number;
}

/**
 * Waits until the machine is quiet (busy share under `maxBusyShare` for `windows` consecutive
 * windows), at least `minMs` and at most `timeoutMs`. Where there is no /proc/stat it waits `minMs`
 * and cannot tell (`quiet: undefined`).
 */
export async function waitForQuiet(
  settings: QuietSettings = {},
  read: () => string | undefined = () => {
    try {
      return readFileSync('/proc/stat', 'utf8');
    } catch {
      return undefined;
    }
  },
): Promise<{ waitedMs: number; quiet: boolean | undefined }> {
  const { maxBusyShare = 0.15, windowMs = 500, windows = 2, minMs = 1_000, timeoutMs = 30_000 } = settings;
  const start = performance.now();
  const waited = () => performance.now() - start;
  let previous = read();
  if (previous === undefined) {
    await sleep(minMs);
    return { waitedMs: waited(), quiet: undefined };
  }
  let quietWindows = 0;
  while (waited() < timeoutMs) {
    await sleep(windowMs);
    const now = read() ?? '';
    const a = parseCpuTotals(previous);
    const b = parseCpuTotals(now);
    previous = now;
    const share = b.total > a.total ? (b.busy - a.busy) / (b.total - a.total) : 1;
    quietWindows = share < maxBusyShare ? quietWindows + 1 : 0;
    if (quietWindows >= windows && waited() >= minMs) return { waitedMs: waited(), quiet: true };
  }
  return { waitedMs: waited(), quiet: false };
}

/**
 * waitForQuiet for the benchmarks: a step that starts on a machine still busy after the timeout
 * (another job running alongside) is measured anyway, but the output says so next to its figures.
 */
export async function settle(): Promise<void> {
  const { waitedMs, quiet } = await waitForQuiet();
  if (quiet === false)
    process.stderr.write(
      `  (machine still busy after ${(waitedMs / 1000).toFixed(0)} s: the next figure may be low)\n`,
    );
}
