import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { isRunning, signalAndWait } from './signals.ts';

/** The state letter of /proc/<pid>/stat: `T` when stopped. */
const state = (pid: number) => readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0];

async function stopped(child: ChildProcess): Promise<void> {
  child.kill('SIGSTOP');
  const until = Date.now() + 5_000;
  while (state(child.pid!) !== 'T' && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
  expect(state(child.pid!)).toBe('T');
}

const children: ChildProcess[] = [];
const sleeper = () => {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  children.push(child);
  return child;
};
afterEach(() => {
  for (const c of children.splice(0)) if (isRunning(c)) c.kill('SIGKILL');
});

describe.runIf(process.platform === 'linux')('a stopped (frozen) child', () => {
  it('is still running, and ends on SIGTERM instead of hanging a stop', async () => {
    const child = sleeper();
    await once(child, 'spawn');
    const exits: unknown[] = [];
    child.on('exit', (code, signal) => exits.push(signal ?? code));
    await stopped(child);
    expect(isRunning(child)).toBe(true);

    expect(await signalAndWait(child, 'SIGTERM')).toBe('SIGTERM');
    // The stop itself was never reported as an exit: one exit, the SIGTERM.
    expect(exits).toEqual(['SIGTERM']);
  }, 10_000);

  it('is killed by SIGKILL without being continued', async () => {
    const child = sleeper();
    await once(child, 'spawn');
    await stopped(child);
    expect(await signalAndWait(child, 'SIGKILL')).toBe('SIGKILL');
    expect(await signalAndWait(child, 'SIGTERM')).toBe('not running');
  }, 10_000);
});
