import { spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe.runIf(process.platform === 'linux')('spawnTied', () => {
  it('takes the child down when its parent is killed with SIGKILL', async () => {
    const module = path.join(import.meta.dirname, 'tied-spawn.ts');
    // The parent starts a long-lived child through spawnTied, prints its pid and waits.
    const parent = spawn(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `import { spawnTied } from ${JSON.stringify(module)};
         const child = spawnTied(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
         console.log(child.pid);
         setInterval(() => {}, 1000);`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const [line] = (await once(createInterface({ input: parent.stdout }), 'line')) as [string];
    const childPid = Number(line);
    expect(childPid).toBeGreaterThan(0);
    expect(alive(childPid)).toBe(true);

    parent.kill('SIGKILL');
    await once(parent, 'exit');
    const until = Date.now() + 10_000;
    while (alive(childPid) && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    const survived = alive(childPid);
    if (survived) process.kill(childPid, 'SIGKILL');
    expect(survived).toBe(false);
  });
});
