import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { spawnTied } from '@mealpeak/stack';

export interface K6Run {
  child: ChildProcess;
  /** Exit code (99: a threshold failed; 108 when aborted otherwise), or the signal name. */
  done: Promise<number | string>;
  /** Asks k6 to stop (SIGINT: it still writes its summary); a second call kills it. */
  interrupt(): void;
}

/**
 * Runs `k6 run` with the runner's outputs: the CSV stream (time series), the console output (the
 * order ledger) and handleSummary's files in `reportDir`. k6 gets its own process group, so a
 * Ctrl-C reaches it once, through the runner, and it can still write its summary.
 */
export function runK6(opts: {
  bin: string;
  script: string;
  env: Record<string, string>;
  csvPath: string;
  ledgerPath: string;
}): K6Run {
  const args = [
    'run',
    '--quiet',
    '--log-format=raw',
    '--console-output',
    opts.ledgerPath,
    '--out',
    `csv=${opts.csvPath}`,
    ...Object.entries(opts.env).flatMap(([k, v]) => ['-e', `${k}=${v}`]),
    opts.script,
  ];
  // Tied to the runner: a runner killed with SIGKILL stops k6 too (libs/stack tied-spawn.ts).
  const child = spawnTied(opts.bin, args, {
    env: { ...process.env, K6_NO_USAGE_REPORT: 'true', K6_CSV_TIME_FORMAT: 'unix_milli' },
    stdio: ['ignore', 'inherit', 'inherit'],
    detached: true,
  });
  const done = Promise.race([
    once(child, 'exit').then(([code, signal]) => (code ?? signal) as number | string),
    once(child, 'error').then(([error]) => {
      throw new Error(`cannot run k6 (${opts.bin}): ${(error as Error).message}`);
    }),
  ]);
  let interrupts = 0;
  return {
    child,
    done,
    interrupt() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill(interrupts++ === 0 ? 'SIGINT' : 'SIGKILL');
    },
  };
}
