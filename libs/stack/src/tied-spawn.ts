import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { existsSync } from 'node:fs';

/**
 * On Linux, `setpriv --pdeathsig TERM` has the kernel send SIGTERM to the child when the thread
 * that started it goes away, even by SIGKILL. setpriv execs the command, so the child's pid is
 * the command's own. Elsewhere (or without util-linux) the command runs as is.
 */
const SETPRIV =
  process.platform === 'linux' && existsSync('/usr/bin/setpriv') ? '/usr/bin/setpriv' : undefined;

/**
 * Spawns a process that does not outlive this one: a runner, benchmark or test worker killed with
 * SIGKILL takes its service replicas with it (they get SIGTERM and drain) instead of leaving them
 * running, as an orphaned stack once did under a benchmark.
 */
export function spawnTied(command: string, args: readonly string[], options: SpawnOptions): ChildProcess {
  return SETPRIV
    ? spawn(SETPRIV, ['--pdeathsig', 'TERM', '--', command, ...args], options)
    : spawn(command, args, options);
}
