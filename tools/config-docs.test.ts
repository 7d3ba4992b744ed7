import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { render } from '../scripts/config-docs.ts';

describe('docs/configuration.md', () => {
  it('matches what the services config schemas produce (run pnpm config-docs after a change)', () => {
    const run = spawnSync(process.execPath, ['scripts/config-docs.ts', '--check'], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
  });

  it('lists variables that default to unset, also behind a schema transform', async () => {
    // The gateway's schema ends in .transform(): its optional MAX_HEAP_USED_BYTES has no default
    // value to be found by, only the schema's shape.
    const gateway = (await render()).split('## order')[0] ?? '';
    expect(gateway).toMatch(/\| `MAX_HEAP_USED_BYTES` \| \(unset\) \| Heap in use above which/);
  });
});
