import { describe, expect, it } from 'vitest';
import { chaosOptions } from './chaos-options.ts';

const base = { chaos: '30', freeze: undefined, infra: false, remote: false, replicas: 2 };
const problem = (o: Partial<Parameters<typeof chaosOptions>[0]>) => {
  const r = chaosOptions({ ...base, ...o });
  return 'problem' in r ? r.problem : undefined;
};

describe('chaosOptions', () => {
  it('takes kills, kills with the servers, and freezes', () => {
    expect(chaosOptions({ ...base, chaos: undefined })).toEqual({ ok: undefined });
    expect(chaosOptions(base)).toEqual({ ok: { everyS: 30, infra: false } });
    expect(chaosOptions({ ...base, infra: true })).toEqual({ ok: { everyS: 30, infra: true } });
    expect(chaosOptions({ ...base, freeze: '15' })).toEqual({
      ok: { everyS: 30, freezeS: 15, infra: false },
    });
    expect(chaosOptions({ ...base, freeze: '2' })).toEqual({ ok: { everyS: 30, freezeS: 2, infra: false } });
  });

  it('refuses a freeze without --chaos, with the servers, or of the wrong length', () => {
    expect(problem({ chaos: undefined, freeze: '15' })).toBe('--chaos-freeze F goes with --chaos S');
    expect(problem({ freeze: '15', infra: true })).toMatch(/cannot be used with --chaos-infra/);
    for (const freeze of ['1.5', '61', 'x', ''])
      expect(problem({ chaos: '120', freeze })).toMatch(/^--chaos-freeze wants the seconds .* \(2 to 60\)/);
    // As long as the calm between two freezes, or longer: refused.
    expect(problem({ freeze: '30' })).toBe('--chaos-freeze 30 must be shorter than --chaos 30');
    expect(problem({ chaos: '10', freeze: '15' })).toBe('--chaos-freeze 15 must be shorter than --chaos 10');
  });

  it('refuses what it refused before for every chaos run', () => {
    expect(problem({ chaos: undefined, infra: true })).toBe('--chaos-infra goes with --chaos S');
    expect(problem({ chaos: '4' })).toMatch(/at least 5/);
    expect(problem({ remote: true, freeze: '15' })).toMatch(/--base-url/);
    expect(problem({ replicas: 1, freeze: '15' })).toMatch(/--replicas 2 or more/);
  });
});
