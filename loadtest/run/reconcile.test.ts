import { describe, expect, it } from 'vitest';
import { reconcile, type LedgerEntry, type PlatformOrder } from './reconcile.ts';

const placed = (c: string, id: string): LedgerEntry => ({ c, k: `${c}-k1`, s: 201, id, n: 1 });
const order = (customerId: string, id: string, state = 'DELIVERED'): PlatformOrder => ({
  id,
  customerId,
  state,
});

describe('the business check', () => {
  it('passes when every acknowledged order is there once and finished', () => {
    const r = reconcile(
      [placed('c1', 'o1'), placed('c2', 'o2')],
      [order('c1', 'o1'), order('c2', 'o2', 'REJECTED')],
    );
    expect(r).toMatchObject({
      acknowledged: 2,
      found: 2,
      lost: [],
      doubled: [],
      stuck: [],
      unacknowledged: 0,
    });
    expect(r.byState).toEqual({ DELIVERED: 1, REJECTED: 1 });
  });

  it('finds a lost order, a doubled one and a stuck one', () => {
    const r = reconcile(
      [placed('c1', 'o1'), placed('c2', 'o2'), placed('c3', 'o3')],
      [order('c2', 'o2'), order('c2', 'o2-again'), order('c3', 'o3', 'RIDER_ASSIGNED')],
    );
    expect(r.lost).toEqual(['o1']);
    expect(r.doubled).toEqual(['o2-again']);
    expect(r.stuck).toEqual([order('c3', 'o3', 'RIDER_ASSIGNED')]);
  });

  it('accepts an order whose 201 never reached the client, and ignores other customers', () => {
    const timedOut: LedgerEntry = { c: 'c1', k: 'c1-k1', s: 504, id: null, n: 4 };
    const r = reconcile([timedOut], [order('c1', 'o1'), order('someone-else', 'o9', 'PLACED')]);
    expect(r).toMatchObject({ acknowledged: 0, lost: [], doubled: [], stuck: [], unacknowledged: 1 });
  });
});
