import { describe, expect, it } from 'vitest';
import { shareOf } from './relay.ts';

describe('a relay share of the outbox partitions', () => {
  it('adds up to every partition, whatever the number of live relays', () => {
    for (let live = 1; live <= 12; live++) {
      const pids = Array.from({ length: live }, (_, i) => 1000 + i * 7);
      const shares = pids.map((pid) => shareOf(8, pids, pid));
      expect(shares.reduce((a, b) => a + b, 0)).toBe(8);
      expect(Math.max(...shares) - Math.min(...shares)).toBeLessThanOrEqual(1);
    }
  });

  it('gives the extra partitions to the lowest pids', () => {
    expect([10, 30, 20].map((pid) => shareOf(8, [30, 10, 20], pid))).toEqual([3, 2, 3]);
  });

  it('counts itself when the list of live relays does not show it yet', () => {
    expect(shareOf(8, [5], 9)).toBe(4);
    expect(shareOf(8, [], 9)).toBe(8);
  });
});
