import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';

export interface SpawnedProcess {
  readonly child: ChildProcess;
  /** Lines the process printed on stdout so far. */
  readonly lines: string[];
  /** Resolves with the first stdout line matching `pattern` (rejects after timeoutMs or on exit). */
  waitForLine(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** Resolves with the exit code (or the signal name) once the process has ended. */
  exited(): Promise<number | string>;
  kill(signal?: NodeJS.Signals): void;
}

/**
 * Runs a TypeScript entry point in a separate Node process with the same runtime as the tests,
 * for tests that need a real process boundary (gRPC between processes, SIGKILL, SIGTERM).
 */
export function spawnTs(
  entry: string,
  env: Record<string, string> = {},
  args: string[] = [],
): SpawnedProcess {
  const child = spawn(process.execPath, [entry, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const waiters: { pattern: RegExp; resolve: (m: RegExpMatchArray) => void }[] = [];
  const stderr: string[] = [];
  createInterface({ input: child.stdout }).on('line', (line) => {
    lines.push(line);
    for (const w of [...waiters]) {
      const m = line.match(w.pattern);
      if (m) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(m);
      }
    }
  });
  createInterface({ input: child.stderr }).on('line', (line) => {
    stderr.push(line);
    if (stderr.length > 200) stderr.shift();
  });
  const exit = once(child, 'exit').then(([code, signal]) => (code ?? signal) as number | string);

  return {
    child,
    lines,
    waitForLine(pattern, timeoutMs = 30_000) {
      const seen = lines.map((l) => l.match(pattern)).find((m) => m);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () =>
            reject(
              new Error(`no line matching ${pattern} within ${timeoutMs} ms; stderr:\n${stderr.join('\n')}`),
            ),
          timeoutMs,
        );
        waiters.push({ pattern, resolve: (m) => (clearTimeout(timer), resolve(m)) });
        void exit.then((code) =>
          reject(
            new Error(`process exited (${code}) before printing ${pattern}; stderr:\n${stderr.join('\n')}`),
          ),
        );
      });
    },
    exited: () => exit,
    kill: (signal = 'SIGTERM') => {
      child.kill(signal);
    },
  };
}
