import { describe, expect, it } from 'vitest';
import { activeSince, waitForDrain } from './drain.ts';

describe('the drain after a run', () => {
  it('counts only orders in progress beyond the baseline', () => {
    expect(activeSince({ PLACED: 2, ACCEPTED: 5, DELIVERED: 90 }, { ACCEPTED: 3, DELIVERED: 10 })).toBe(4);
    expect(activeSince({ ACCEPTED: 1 }, { ACCEPTED: 3 })).toBe(0);
  });

  it('waits until nothing is in progress', async () => {
    const samples = [{ ACCEPTED: 2 }, { ACCEPTED: 1 }, { DELIVERED: 3 }];
    const r = await waitForDrain({
      counts: async () => samples.shift() ?? {},
      baseline: {},
      timeoutMs: 10_000,
      quietMs: 10_000,
      pollMs: 1,
      log: () => undefined,
    });
    expect(r.active).toBe(0);
    expect(samples).toHaveLength(0);
  });

  it('gives up on orders that stopped moving, but waits for the acceptance timeout of placed ones', async () => {
    const stuck = await waitForDrain({
      counts: async () => ({ RIDER_ASSIGNED: 1 }),
      baseline: {},
      timeoutMs: 10_000,
      quietMs: 20,
      pollMs: 1,
      log: () => undefined,
    });
    expect(stuck.active).toBe(1);
    expect(stuck.waitedMs).toBeLessThan(5_000);
    const placed = await waitForDrain({
      counts: async () => ({ PLACED: 1 }),
      baseline: {},
      timeoutMs: 60,
      quietMs: 1,
      pollMs: 1,
      log: () => undefined,
    });
    expect(placed.waitedMs).toBeGreaterThanOrEqual(60);
  });
});
