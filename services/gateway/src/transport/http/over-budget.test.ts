import { describe, expect, it } from 'vitest';
import { overBudgetCache } from './over-budget.ts';

describe('over-budget cache', () => {
  it('answers for a refused client until its window ends, then forgets it', () => {
    let now = 1_000;
    const cache = overBudgetCache(10, () => now);
    expect(cache.refusedFor('customer:c-1')).toBeUndefined();
    cache.remember('customer:c-1', 30_000);
    now += 10_000;
    expect(cache.refusedFor('customer:c-1')).toBe(20_000);
    expect(cache.refusedFor('customer:c-2')).toBeUndefined();
    now += 20_000;
    expect(cache.refusedFor('customer:c-1')).toBeUndefined();
    expect(cache.size()).toBe(0);
  });

  it('ignores a window already over', () => {
    const cache = overBudgetCache(10, () => 0);
    cache.remember('k', 0);
    expect(cache.size()).toBe(0);
  });

  it('stays within its bound, dropping the client refused longest ago', () => {
    let now = 0;
    const cache = overBudgetCache(2, () => now);
    cache.remember('a', 60_000);
    cache.remember('b', 60_000);
    now += 1;
    cache.remember('a', 50_000); // refused again: now the newest
    cache.remember('c', 60_000);
    expect(cache.size()).toBe(2);
    expect(cache.refusedFor('b')).toBeUndefined();
    expect(cache.refusedFor('a')).toBe(50_000);
    expect(cache.refusedFor('c')).toBe(60_000);
  });
});
