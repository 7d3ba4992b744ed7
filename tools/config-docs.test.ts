import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

describe('docs/configuration.md', () => {
  it('matches what the services config schemas produce (run pnpm config-docs after a change)', () => {
    const run = spawnSync(process.execPath, ['scripts/config-docs.ts', '--check'], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
  });
});
