import { describe, expect, it } from 'vitest';
import { findMaxRate, runOpenModel, type Fire } from './open-model.ts';

describe('runOpenModel', () => {
  it('fires the lead-in on the same schedule but counts only the measured requests', async () => {
    const fired: number[] = [];
    let measuringFrom: number | undefined;
    // The lead-in's requests fail: none of that may show in the result.
    const fire: Fire = async (i) => {
      fired.push(i);
      return i < 20 ? 503 : 201;
    };
    const r = await runOpenModel(1_000, 0.03, fire, {
      leadInS: 0.02,
      onMeasuring: () => (measuringFrom = fired.length),
    });
    expect(fired).toEqual([...Array(50).keys()]);
    expect(measuringFrom).toBe(20);
    expect(r).toMatchObject({ sent: 30, ok: 30, errors: 0, shed: 0, statuses: { 201: 30 } });
  });

  it('sheds measured requests while the lead-in still holds every in-flight slot', async () => {
    let release = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    const fire: Fire = async (i) => {
      if (i < 5) await gate; // the lead-in's five requests hang until the schedule is over
      return 201;
    };
    const run = runOpenModel(1_000, 0.01, fire, { leadInS: 0.005, maxInFlight: 5 });
    setTimeout(release, 100);
    expect(await run).toMatchObject({ sent: 0, shed: 10, ok: 0, errors: 0 });
  });
});

describe('findMaxRate', () => {
  it('doubles, then bisects to the highest rate that stays sustainable', async () => {
    // A fake server that takes at most 20 requests per 0.05 s step (400/s) and answers the rest
    // with 503. Sustained = no error and nothing shed, so no figure here depends on timing.
    const fire: Fire = async (i) => (i < 20 ? 201 : 503);
    const { max, runs } = await findMaxRate(100, 0.05, fire, {
      leadInS: 0,
      settle: async () => undefined,
      sustainable: (r) => r.errors === 0 && r.shed === 0,
    });
    expect(runs.map((r) => r.offeredRate)).toEqual([100, 200, 400, 800, 600, 500, 450, 425]);
    expect(max?.offeredRate).toBe(400);
  });
});
