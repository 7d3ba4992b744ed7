import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';

/**
 * Whether a child has not exited yet. A stopped child (SIGSTOP: `--chaos-freeze`) counts as
 * running: Node reports only exits (libuv reaps without WUNTRACED), so a supervisor polling this
 * never takes a frozen replica for a dead one and starts a second copy on its ports.
 */
export const isRunning = (child: ChildProcess): boolean =>
  child.exitCode === null && child.signalCode === null;

/**
 * Sends `signal` and resolves with the exit code or signal once the child has exited ('not
 * running' when it had already). A stopped child acts on no signal but SIGKILL until it is
 * continued, so SIGCONT follows any other: without it, stopping a stack with a frozen replica
 * (SIGTERM) would wait for it forever.
 */
export async function signalAndWait(child: ChildProcess, signal: NodeJS.Signals): Promise<number | string> {
  if (!isRunning(child)) return 'not running';
  const exited = once(child, 'exit');
  child.kill(signal);
  if (signal !== 'SIGKILL') child.kill('SIGCONT');
  const [code, sig] = (await exited) as [number | null, NodeJS.Signals | null];
  return code ?? sig ?? 'unknown';
}
