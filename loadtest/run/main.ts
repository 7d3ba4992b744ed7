/**
 * The load-test runner behind `pnpm loadtest:<scenario>` (loadtest/run/loadtest.sh):
 *
 *   node loadtest/run/main.ts <smoke|lunch|soak|breakpoint|abuse> [--replicas N] [--base-url URL]
 *        [--out DIR] [--keep] [--chaos S [--chaos-infra | --chaos-freeze F]] [-e NAME=value ...]
 *
 * Without --base-url it starts the replica mode (fresh database, own topics and keys, the demo city
 * with its load profile) on the infra servers named by PG_URL / REDIS_URL / KAFKA_BROKERS. Then:
 * k6 (CSV stream, ledger, handleSummary) -> bounded drain -> business check (database, or the API
 * when remote) -> report.html + result.json -> stop. Last line:
 *   verdict=PASS|FAIL peak_rps=N p99_ms=N error_rate=R lost_orders=N report=<path>
 * With --chaos S, one replica is killed (SIGKILL) every S seconds while k6 runs (chaos.ts);
 * --chaos-infra puts the infra script's PostgreSQL, Redis and Kafka into the rotation;
 * --chaos-freeze F freezes the replica for F seconds (SIGSTOP, then SIGCONT) instead of killing it.
 * Exit code 0 only when every threshold held and no order was lost, doubled or stuck.
 */
import { createReadStream, createWriteStream, mkdirSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import { createGzip } from 'node:zlib';
import { chaosOptions } from './chaos-options.ts';
import { infraScriptServes, stackTarget, startChaos, type Chaos, type ChaosKill } from './chaos.ts';
import { waitForDrain } from './drain.ts';
import { runK6 } from './k6-process.ts';
import { deleteTopics } from './kafka-topics.ts';
import { deleteRedisKeys } from './redis-keys.ts';
import { failuresBetween, peakRate, readSeries, type Series } from './k6-series.ts';
import { DEV_JWT_SECRET, orderCounts, ordersFromApi, ordersFromDatabase } from './platform-orders.ts';
import { readLedger, reconcile } from './reconcile.ts';
import { startReplicaMode, type ReplicaMode } from './replica-mode.ts';
import { renderReport, type Figures, type K6Summary } from './report-html.ts';
import { loadTestServiceEnv } from './stack-env.ts';
import { SCENARIOS, judgedFigure } from './scenarios.ts';
import { failureReasons } from './verdict.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const INFRA_SCRIPT = path.join(ROOT, 'scripts/infra');

const USAGE = `usage: main.ts <${Object.keys(SCENARIOS).join('|')}> [--replicas N] [--base-url URL] [--out DIR] [--keep] [--chaos S [--chaos-infra | --chaos-freeze F]] [-e NAME=value]`;
/** A mistyped option: the problem and the usage, no stack trace. */
function parseOptions() {
  try {
    return parseArgs({
      allowPositionals: true,
      options: {
        replicas: { type: 'string' },
        'base-url': { type: 'string' },
        out: { type: 'string' },
        keep: { type: 'boolean', default: false },
        chaos: { type: 'string' },
        'chaos-infra': { type: 'boolean', default: false },
        'chaos-freeze': { type: 'string' },
        env: { type: 'string', short: 'e', multiple: true, default: [] },
      },
    });
  } catch (error) {
    console.error(`${(error as Error).message}\n${USAGE}`);
    process.exit(64);
  }
}
const { values, positionals } = parseOptions();

const name = positionals[0] ?? '';
const scenario = SCENARIOS[name];
if (!scenario) {
  console.error(USAGE);
  process.exit(64);
}
/** What the runner itself hands k6; a -e of one of them would point k6 elsewhere than the runner. */
const RUNNER_OWNED = ['BASE_URL', 'REPORT_DIR', 'RUN_ID', 'JWT_SECRET', 'JWT_AUDIENCE'];
const extraEnv: Record<string, string> = {};
for (const pair of values.env) {
  const eq = pair.indexOf('=');
  const key = pair.slice(0, Math.max(0, eq));
  const problem =
    eq <= 0
      ? `-e wants NAME=value, got "${pair}"`
      : RUNNER_OWNED.includes(key)
        ? `-e ${key} is set by the runner (use --base-url for another target, --out for the results)`
        : undefined;
  if (problem) {
    console.error(problem);
    process.exit(64);
  }
  extraEnv[key] = pair.slice(eq + 1);
}
const log = (line: string) => console.log(`[loadtest] ${line}`);
const stamp = new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
const runId = `lt${Date.now().toString(36)}`;
const outDir = path.resolve(values.out ?? path.join(ROOT, 'loadtest/results', `${name}-${stamp}`));
const files = {
  csv: path.join(outDir, 'k6.csv'),
  ledger: path.join(outDir, 'ledger.ndjson'),
  summary: path.join(outDir, 'summary.json'),
  report: path.join(outDir, 'report.html'),
  result: path.join(outDir, 'result.json'),
};
const secret = process.env['JWT_SECRET'] ?? DEV_JWT_SECRET;
// A gateway with JWT_AUDIENCE (production values) refuses tokens that do not name it.
const audience = process.env['JWT_AUDIENCE'] || undefined;
const signing = { secret, audience };
// A chaos run needs a second replica of each service to fail over to.
const replicas = Number(
  values.replicas ?? (values.chaos === undefined ? scenario.replicas : Math.max(2, scenario.replicas)),
);
if (!Number.isInteger(replicas) || replicas < 1 || replicas > 16) {
  console.error(`--replicas must be an integer from 1 to 16, got ${values.replicas}`);
  process.exit(64);
}
const remote = values['base-url'] ?? process.env['BASE_URL'];
const chaosChoice = chaosOptions({
  chaos: values.chaos,
  freeze: values['chaos-freeze'],
  infra: values['chaos-infra'],
  remote: Boolean(remote),
  replicas,
});
if ('problem' in chaosChoice) {
  console.error(chaosChoice.problem);
  process.exit(64);
}
const chaosOpts = chaosChoice.ok;
if (chaosOpts?.infra && !(await infraScriptServes(INFRA_SCRIPT, process.env))) {
  console.error(
    '--chaos-infra restarts the servers of scripts/infra, which are not the ones in use (scripts/infra status)',
  );
  process.exit(64);
}
const chaosEveryS = chaosOpts?.everyS;

// Only once the options are known good: a refused command leaves no empty results folder.
mkdirSync(outDir, { recursive: true });

let mode: ReplicaMode | undefined;
let interrupted = false;
let k6: ReturnType<typeof runK6> | undefined;
let chaos: Chaos | undefined;
const onSignal = (signal: string) => {
  if (interrupted) {
    // Twice forces: k6 and every replica are killed, the cleanup (database, topics) still runs.
    k6?.interrupt();
    mode?.force();
    return;
  }
  interrupted = true;
  log(`${signal}: stopping k6 and the stack (again to force)`);
  k6?.interrupt();
  // No more kills, and no waiting for a victim the stopping supervisor will not restart.
  void chaos?.stop(0);
  void mode?.stop();
};
process.on('SIGINT', () => onSignal('SIGINT'));
process.on('SIGTERM', () => onSignal('SIGTERM'));
// Whatever ends the runner (an error included), a frozen replica is continued first: stopped, it
// would not even act on the SIGTERM its tie to the runner sends it (tied-spawn.ts).
process.on('exit', () => chaos?.release());

const started = Date.now();
if (!remote) {
  const need = (v: string) => {
    const value = process.env[v];
    if (!value)
      throw new Error(`${v} is not set: run through pnpm loadtest:${name} or eval "$(scripts/infra env)"`);
    return value;
  };
  mode = await startReplicaMode({
    servers: { pgUrl: need('PG_URL'), redisUrl: need('REDIS_URL'), kafkaBrokers: need('KAFKA_BROKERS') },
    replicas,
    database: `loadtest_${runId}`,
    freshDatabase: true,
    dropDatabaseOnStop: !values.keep,
    topicPrefix: `${runId}.`,
    redisKeyPrefix: `${runId}:`,
    riders: 0,
    loadProfile: true,
    serviceEnv: loadTestServiceEnv(),
    env: { LOG_LEVEL: 'warn' },
    logDir: path.join(outDir, 'logs'),
    restartCrashed: true,
    log,
  });
  log(
    `replica mode up in ${((Date.now() - started) / 1000).toFixed(0)} s: ${replicas} replica(s) each, gateway ${mode.gatewayUrl}`,
  );
  // Ctrl-C while the stack was starting: stop it rather than start k6.
  if (interrupted) {
    await mode.stop();
    process.exit(130);
  }
}
const baseUrl = (remote ?? mode!.gatewayUrl).replace(/\/+$/, '');
const target = remote
  ? `remote ${baseUrl}`
  : `replica mode, ${replicas} replica(s) of each service, this machine`;

let k6Exit: number | string | undefined;
let series: Series | undefined;
let summary: K6Summary = { metrics: {} };
/** k6's end-of-test summary file was not there (k6 refused its options, or it was pointed elsewhere). */
const k6Summary = { missing: false };
let reconciliation: ReturnType<typeof reconcile> | undefined;
let kills: ChaosKill[] | undefined;
try {
  log(`k6 ${scenario.script} against ${baseUrl} (run ${runId}); results in ${outDir}`);
  k6 = runK6({
    bin: process.env['K6_BIN'] ?? path.join(ROOT, '.tools/bin/k6'),
    script: path.join(ROOT, 'loadtest/k6', scenario.script),
    env: {
      BASE_URL: baseUrl,
      REPORT_DIR: outDir,
      RUN_ID: runId,
      JWT_SECRET: secret,
      ...(audience ? { JWT_AUDIENCE: audience } : {}),
      ...scenario.env,
      // A chaos run's error budget (loadtest/k6/lib/env.js); -e MAX_ERROR_RATE=... still wins.
      ...(chaosEveryS !== undefined ? { MAX_ERROR_RATE: '0.01' } : {}),
      ...extraEnv,
    },
    csvPath: files.csv,
    ledgerPath: files.ledger,
  });
  if (chaosEveryS !== undefined && mode)
    chaos = startChaos({
      target: stackTarget(mode.stack, replicas, chaosOpts?.infra ? INFRA_SCRIPT : undefined),
      everyMs: chaosEveryS * 1000,
      ...(chaosOpts?.freezeS !== undefined ? { freezeMs: chaosOpts.freezeS * 1000 } : {}),
      log,
    });
  k6Exit = await k6.done;
  kills = await chaos?.stop();
  const written = await readFile(files.summary, 'utf8').catch(() => undefined);
  k6Summary.missing = written === undefined;
  if (written !== undefined) summary = JSON.parse(written) as K6Summary;
  // k6 that refused its options wrote no CSV at all: an empty series, and the verdict says why.
  await writeFile(files.csv, '', { flag: 'a' });
  series = await readSeries(files.csv, scenario.bucketS * 1000);

  if (!interrupted) {
    const baseline = series.orderStates[0]?.counts ?? {};
    const drained = await waitForDrain({
      counts: () => orderCounts(baseUrl, signing),
      baseline,
      timeoutMs: scenario.stuckFails ? Number(process.env['DRAIN_WAIT_S'] ?? 60) * 1000 : 5_000,
      quietMs: 15_000,
      log,
    });
    log(`drain: ${drained.active} order(s) in progress after ${(drained.waitedMs / 1000).toFixed(0)} s`);
  }
  const ledger = await readLedger(files.ledger);
  const orders = mode
    ? await ordersFromDatabase(mode.databaseUrl, runId)
    : await ordersFromApi(baseUrl, signing, [...new Set(ledger.map((e) => e.c))]);
  reconciliation = reconcile(ledger, orders);
} finally {
  kills ??= await chaos?.stop(0);
  if (mode) {
    log('stopping the replica mode');
    await mode.stop();
    if (!values.keep && (await deleteTopics(runId, process.env['KAFKA_BROKERS'] ?? '')))
      log(`deleted the run's Kafka topics (${runId}.*)`);
    const keys = values.keep ? undefined : await deleteRedisKeys(process.env['REDIS_URL'] ?? '', `${runId}:`);
    if (keys !== undefined) log(`deleted the run's ${keys} Redis key(s) (${runId}:*)`);
  }
}

// Both are set once the try block above completes, and nothing runs here when it did not.
if (!series || !reconciliation) throw new Error('no series or reconciliation');
const r = reconciliation;
const metric = (m: string, key: string) => summary.metrics[m]?.values[key];
const failedThresholds = Object.entries(summary.metrics).flatMap(([m, v]) =>
  Object.entries(v?.thresholds ?? {})
    .filter(([, t]) => !t.ok)
    .map(([expr]) => `${m} ${expr}`),
);
// About 5 s, in whole buckets: 3 × 2 s for smoke, 1 × 5 s for lunch, 1 × 30 s for soak.
const peakBuckets = Math.max(1, Math.round(5 / scenario.bucketS));
const figures: Figures = {
  peakRps: peakRate(series, peakBuckets),
  peakWindowS: peakBuckets * scenario.bucketS,
  p99Ms: judgedFigure(scenario, summary, 'http_req_duration', 'p(99)'),
  errorRate: judgedFigure(scenario, summary, 'http_req_failed', 'rate'),
  ordersPlaced: metric('orders_placed', 'count') ?? 0,
  lostOrders: r.lost.length,
  doubledOrders: r.doubled.length,
  stuckOrders: r.stuck.length,
  unacknowledgedOrders: r.unacknowledged,
  ...(name === 'breakpoint' ? breakpointFigures(series, summary) : {}),
};

// What each strike cost: the failed requests from it to the next (or the run's end).
if (kills && chaos) {
  const at = (k: ChaosKill | undefined) => (k ? chaos.startedAtMs + k.atS * 1000 : Infinity);
  kills.forEach((k, i) => (k.failed = failuresBetween(series, at(k), at(kills[i + 1]))));
}
const chaosResult =
  kills && chaosEveryS !== undefined
    ? {
        everyS: chaosEveryS,
        ...(chaosOpts?.freezeS !== undefined ? { freezeS: chaosOpts.freezeS } : {}),
        kills,
      }
    : undefined;
const reasons = failureReasons({
  scenario: name,
  interrupted,
  k6Exit,
  summaryMissing: k6Summary.missing,
  summaryPath: files.summary,
  failedThresholds,
  ordersPlaced: figures.ordersPlaced,
  lost: r.lost.length,
  doubled: r.doubled.length,
  stuck: r.stuck.length,
  stuckFails: scenario.stuckFails,
  unrecovered: (kills ?? []).filter((k) => k.recoveredAfterS === undefined).map((k) => k.victim),
});
const ok = reasons.length === 0;

await writeFile(
  files.report,
  renderReport({
    title: `${scenario.title} (${name})`,
    target,
    startedAt: new Date(started).toISOString(),
    verdict: { ok, reasons },
    figures,
    summary,
    series,
    reconciliation: r,
    stuckFails: scenario.stuckFails,
    ...(chaosResult ? { chaos: chaosResult } : {}),
  }),
);
await writeFile(
  files.result,
  JSON.stringify(
    {
      scenario: name,
      runId,
      target,
      ok,
      reasons,
      k6Exit,
      failedThresholds,
      figures,
      // By `status code` (0: no answer), over the whole run.
      failedRequests: failuresBetween(series, -Infinity, Infinity),
      reconciliation: {
        ...r,
        lost: r.lost.slice(0, 100),
        doubled: r.doubled.slice(0, 100),
        stuck: r.stuck.slice(0, 100),
      },
      ...(chaosResult ? { chaos: chaosResult } : {}),
      durationS: Math.round((Date.now() - started) / 1000),
    },
    null,
    1,
  ),
);
// The raw stream is large; the report holds what it showed. Keep it compressed for digging.
await pipeline(createReadStream(files.csv), createGzip(), createWriteStream(`${files.csv}.gz`));
await rm(files.csv);

for (const t of failedThresholds) log(`threshold failed: ${t}`);
log(
  `orders: ${r.acknowledged} acknowledged, ${r.found} found, ${r.lost.length} lost, ${r.doubled.length} doubled, ` +
    `${r.stuck.length} stuck, ${r.unacknowledged} without a 201; final states ${JSON.stringify(r.byState)}`,
);
if (kills)
  log(
    `chaos: ${kills.length} process(es) ${chaosOpts?.freezeS !== undefined ? `frozen for ${chaosOpts.freezeS} s` : 'killed'} ` +
      `(${kills.map((k) => k.victim).join(', ') || 'none'}), ` +
      `back in ${kills.map((k) => (k.recoveredAfterS === undefined ? 'never' : `${k.recoveredAfterS.toFixed(1)} s`)).join(', ') || '-'}`,
  );
if (figures.breakpointRate !== undefined)
  log(
    `breakpoint_rate=${figures.breakpointRate.toFixed(1)} max_placed_per_s=${(figures.maxPlacedPerS ?? 0).toFixed(1)}`,
  );
log(`${ok ? 'PASS' : `FAIL: ${reasons.join('; ')}`} in ${((Date.now() - started) / 1000).toFixed(0)} s`);
console.log(
  `verdict=${ok ? 'PASS' : 'FAIL'} peak_rps=${figures.peakRps.toFixed(0)} p99_ms=${figures.p99Ms.toFixed(0)} error_rate=${figures.errorRate.toFixed(5)} lost_orders=${figures.lostOrders} report=${files.report}`,
);
process.exit(ok ? 0 : interrupted ? 130 : 1);

/**
 * The breakpoint: the planned arrival rate when the last session started (k6 aborts on the first
 * broken threshold, after `delayAbortEval`), and the best 10 s of orders actually placed.
 */
function breakpointFigures(s: Series, k: K6Summary): Pick<Figures, 'breakpointRate' | 'maxPlacedPerS'> {
  let last = -1;
  s.buckets.forEach((b, i) => {
    if ((b.requests.get('GET /v1/merchants') ?? 0) > 0) last = i;
  });
  const t = ((last + 1) * s.bucketMs) / 1000;
  const phases = k.plan?.phases ?? [];
  let rate = NaN;
  phases.forEach((p, i) => {
    if (t < p.fromS || t > p.toS || !Number.isNaN(rate)) return;
    const from = i === 0 ? (k.plan?.startRate ?? 0) : (phases[i - 1]?.target ?? 0);
    rate = from + ((p.target - from) * (t - p.fromS)) / Math.max(1, p.toS - p.fromS);
  });
  const window = Math.max(1, Math.round(10 / scenario!.bucketS));
  let best = 0;
  for (let i = 0; i + window <= s.buckets.length; i++)
    best = Math.max(
      best,
      s.buckets.slice(i, i + window).reduce((a, b) => a + b.ordersPlaced, 0) / (window * scenario!.bucketS),
    );
  return { breakpointRate: rate, maxPlacedPerS: best };
}
