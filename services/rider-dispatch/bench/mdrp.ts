// MDRP benchmark: replays every instance in a folder with both strategies, checks each solution with the
// instance set's feasibility rules and prints the metrics (docs/dispatch.md, "Benchmark").
//   pnpm bench:mdrp <instances-folder> [--out <dir>] [--only <regex>] [--workers <n>] [--params <json>]
// The folder holds instance folders (or is one: it has orders.txt). The public set: grubhub/mdrplib.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import {
  createGreedyStrategy,
  createOptimizingStrategy,
  dispatchParams,
  type DispatchParamsOverrides,
  type DispatchStrategy,
} from '../src/domain/dispatch/index.ts';
import { checkFeasibility } from '../src/simulation/feasibility-checker.ts';
import { parseMdrpInstance } from '../src/simulation/mdrp-instance.ts';
import { computeMetrics, type MdrpMetrics } from '../src/simulation/metrics.ts';
import { simulate } from '../src/simulation/simulator.ts';
import { readSolution, SOLUTION_FILES, writeSolution } from '../src/simulation/solution.ts';

const STRATEGIES = ['greedy', 'optimized'] as const;
type StrategyName = (typeof STRATEGIES)[number];

interface Job {
  readonly dir: string;
  readonly out: string | undefined;
  readonly overrides: DispatchParamsOverrides;
}

interface StrategyResult {
  readonly metrics: MdrpMetrics;
  readonly violations: number;
  readonly firstViolation: string | undefined;
  readonly seconds: number;
}

interface InstanceResult {
  readonly name: string;
  readonly results: Record<StrategyName, StrategyResult>;
}

function strategyOf(name: StrategyName): DispatchStrategy {
  switch (name) {
    case 'greedy':
      return createGreedyStrategy();
    case 'optimized':
      return createOptimizingStrategy();
  }
}

function runInstance(job: Job): InstanceResult {
  const name = path.basename(job.dir);
  const read = (file: string): string => readFileSync(path.join(job.dir, file), 'utf8');
  const parsed = parseMdrpInstance(name, {
    restaurants: read('restaurants.txt'),
    orders: read('orders.txt'),
    couriers: read('couriers.txt'),
    parameters: read('instance_parameters.txt'),
  });
  if (!parsed.ok) throw new Error(parsed.error.message);
  const instance = parsed.value;
  const params = dispatchParams(job.overrides);
  const results = {} as Record<StrategyName, StrategyResult>;
  for (const strategy of STRATEGIES) {
    const started = performance.now();
    const { solution } = simulate(instance, strategyOf(strategy), params);
    const seconds = (performance.now() - started) / 1000;
    const texts = writeSolution(solution);
    if (job.out !== undefined) {
      const dir = path.join(job.out, name, strategy);
      mkdirSync(dir, { recursive: true });
      writeFileSync(path.join(dir, SOLUTION_FILES.assignments), texts.assignments);
      writeFileSync(path.join(dir, SOLUTION_FILES.orders), texts.orders);
      writeFileSync(path.join(dir, SOLUTION_FILES.couriers), texts.couriers);
    }
    // Check what was written, not the in-memory solution: the files are the deliverable.
    const reread = readSolution(texts);
    if (!reread.ok) throw new Error(`${name}/${strategy}: ${reread.error.message}`);
    const violations = checkFeasibility(instance, reread.value);
    results[strategy] = {
      metrics: computeMetrics(instance, reread.value),
      violations: violations.length,
      firstViolation: violations[0]?.message,
      seconds,
    };
  }
  return { name, results };
}

function instanceDirs(folder: string): string[] {
  if (existsSync(path.join(folder, 'orders.txt'))) return [folder];
  return readdirSync(folder, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(path.join(folder, d.name, 'orders.txt')))
    .map((d) => path.join(folder, d.name))
    .sort();
}

function parseArgs(argv: readonly string[]) {
  const positional: string[] = [];
  const flags = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg.startsWith('--')) flags.set(arg.slice(2), argv[++i] ?? '');
    else positional.push(arg);
  }
  return { folder: positional[0], flags };
}

async function main(): Promise<void> {
  const { folder, flags } = parseArgs(process.argv.slice(2));
  if (folder === undefined) {
    console.error(
      'usage: pnpm bench:mdrp <instances-folder> [--out <dir>] [--only <regex>] [--workers <n>] [--params <json>]',
    );
    process.exit(2);
  }
  const only = flags.has('only') ? new RegExp(flags.get('only')!) : undefined;
  const dirs = instanceDirs(path.resolve(folder)).filter(
    (d) => only === undefined || only.test(path.basename(d)),
  );
  if (dirs.length === 0) {
    console.error(`no MDRP instance (a folder with orders.txt) under ${folder}`);
    process.exit(2);
  }
  const out = flags.has('out') ? path.resolve(flags.get('out')!) : undefined;
  const overrides = JSON.parse(flags.get('params') ?? '{}') as DispatchParamsOverrides;
  const workers = Math.max(1, Math.min(Number(flags.get('workers') ?? availableParallelism()), dirs.length));
  const started = performance.now();
  const results = await runAll(
    dirs.map((dir) => ({ dir, out, overrides })),
    workers,
  );
  printReport(results);
  console.error(`done in ${((performance.now() - started) / 1000).toFixed(1)} s with ${workers} worker(s)`);
}

async function runAll(jobs: readonly Job[], workers: number): Promise<InstanceResult[]> {
  const results: InstanceResult[] = [];
  let next = 0;
  const runWorker = () =>
    new Promise<void>((resolve, reject) => {
      const worker = new Worker(new URL(import.meta.url), { workerData: { worker: true } });
      const feed = (): void => {
        const job = jobs[next++];
        if (job === undefined) {
          void worker.terminate().then(() => resolve());
          return;
        }
        worker.postMessage(job);
      };
      worker.on('message', (result: InstanceResult) => {
        results.push(result);
        const o = result.results.optimized;
        const g = result.results.greedy;
        console.error(
          `[${results.length}/${jobs.length}] ${result.name}: ctd greedy ${g.metrics.clickToDoor.mean.toFixed(2)}` +
            ` optimized ${o.metrics.clickToDoor.mean.toFixed(2)} lb ${o.metrics.lowerBound.toFixed(2)}` +
            ` (${(g.seconds + o.seconds).toFixed(1)} s)`,
        );
        feed();
      });
      worker.on('error', reject);
      feed();
    });
  await Promise.all(Array.from({ length: workers }, runWorker));
  return results.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

function printReport(results: readonly InstanceResult[]): void {
  const f = (n: number, d = 2): string => n.toFixed(d);
  const header = [
    'instance',
    'orders',
    'lb',
    ...STRATEGIES.flatMap((s) => [`${s}:ok`, 'deliv', 'ctd', 'p50', 'p90', '<=40', 'r2p', 'o/ch', 'util']),
  ];
  const lines = results.map((r) => [
    r.name,
    String(r.results.optimized.metrics.orders),
    f(r.results.optimized.metrics.lowerBound),
    ...STRATEGIES.flatMap((s) => {
      const { metrics: m, violations } = r.results[s];
      return [
        violations === 0 ? 'yes' : `NO(${violations})`,
        String(m.delivered),
        f(m.clickToDoor.mean),
        f(m.clickToDoor.p50, 1),
        f(m.clickToDoor.p90, 1),
        f(100 * m.withinTargetShare, 1),
        f(m.readyToPickup.mean),
        f(m.ordersPerCourierHour),
        f(m.courierUtilisation, 3),
      ];
    }),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const row = (cells: readonly string[]): string => cells.map((c, i) => c.padStart(widths[i]!)).join(' ');
  console.log(row(header));
  for (const l of lines) console.log(row(l));
  for (const r of results) {
    for (const s of STRATEGIES) {
      const v = r.results[s];
      if (v.violations > 0)
        console.log(`INFEASIBLE ${r.name}/${s}: ${v.violations} violation(s), first: ${v.firstViolation}`);
    }
  }
  console.log('');
  printGroups(results);
  console.log('');
  console.log(summaryLine(results));
}

function aggregate(results: readonly InstanceResult[], s: StrategyName) {
  const n = results.length;
  const avg = (pick: (m: MdrpMetrics) => number): number =>
    results.reduce((t, r) => t + pick(r.results[s].metrics), 0) / n;
  return {
    delivered: results.reduce((t, r) => t + r.results[s].metrics.delivered, 0),
    undeliveredPct: avg((m) => m.undeliveredPct),
    ctd: avg((m) => m.clickToDoor.mean),
    p90: avg((m) => m.clickToDoor.p90),
    within: avg((m) => m.withinTargetShare),
    r2p: avg((m) => m.readyToPickup.mean),
    lowerBound: avg((m) => m.lowerBound),
  };
}

/**
 * Means over instances per family (base day, sampling, size), then the 16 half-size base-day-0
 * instances Reyes et al. (2018) report on (0o50*, 0r50*), then all.
 */
function printGroups(results: readonly InstanceResult[]): void {
  const groups = new Map<string, InstanceResult[]>();
  const add = (key: string, r: InstanceResult): void => {
    groups.set(key, [...(groups.get(key) ?? []), r]);
  };
  for (const r of [...results].sort((a, b) => (a.name < b.name ? -1 : 1)))
    add(/^\d+[or]\d+/.exec(r.name)?.[0] ?? r.name, r);
  for (const r of results) if (/^0[or]50t/.test(r.name)) add('day0-half', r);
  for (const r of results) add('all', r);
  console.log('group         n     lb  ctd_greedy ctd_optimized  undeliv%_g undeliv%_o  <=40%_o  r2p_o');
  for (const [key, list] of groups) {
    const g = aggregate(list, 'greedy');
    const o = aggregate(list, 'optimized');
    console.log(
      `${key.padEnd(10)} ${String(list.length).padStart(4)} ${o.lowerBound.toFixed(2).padStart(6)} ${g.ctd.toFixed(2).padStart(11)}` +
        ` ${o.ctd.toFixed(2).padStart(13)} ${g.undeliveredPct.toFixed(3).padStart(11)} ${o.undeliveredPct.toFixed(3).padStart(10)}` +
        ` ${(100 * o.within).toFixed(1).padStart(8)} ${o.r2p.toFixed(2).padStart(6)}`,
    );
  }
}

function summaryLine(results: readonly InstanceResult[]): string {
  const g = aggregate(results, 'greedy');
  const o = aggregate(results, 'optimized');
  const feasible = results.filter((r) => STRATEGIES.every((s) => r.results[s].violations === 0)).length;
  return [
    `instances=${results.length}`,
    `feasible=${feasible}`,
    `delivered_greedy=${g.delivered}`,
    `delivered_optimized=${o.delivered}`,
    `undelivered_pct_greedy=${g.undeliveredPct.toFixed(3)}`,
    `undelivered_pct_optimized=${o.undeliveredPct.toFixed(3)}`,
    `ctd_mean_greedy=${g.ctd.toFixed(2)}`,
    `ctd_mean_optimized=${o.ctd.toFixed(2)}`,
    `ctd_lower_bound=${o.lowerBound.toFixed(2)}`,
  ].join(' ');
}

if (isMainThread) {
  await main();
} else if ((workerData as { worker?: boolean } | undefined)?.worker === true) {
  parentPort!.on('message', (job: Job) => parentPort!.postMessage(runInstance(job)));
}
