import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unwrap } from '@mealpeak/core';
import { pgMenuRepo } from '../src/adapters/pg-menu.ts';
import { pgRetentionRepo } from '../src/adapters/pg-retention.ts';
import type { Sql } from '../src/adapters/pg-rows.ts';
import { itemInput, merchantInput } from '../src/app/test-support/fixtures.ts';
import { createMerchantDb, type MerchantDb } from './support.ts';

// ChangeStock on PostgreSQL: request ids (adr/0022), the figure a refusal names, the API's range.
describe('stock changes', () => {
  let mdb: MerchantDb;
  let uc: ReturnType<MerchantDb['service']>['service']['useCases'];
  beforeAll(async () => {
    mdb = await createMerchantDb(8);
    uc = mdb.service().service.useCases;
    unwrap(await uc.upsertMerchant(merchantInput()));
  });
  afterAll(async () => mdb?.close());

  it('applies a request id once, also when its repeats arrive together', async () => {
    unwrap(await uc.upsertMenuItem(itemInput('s-once', { stock: 10 })));
    const restock = { merchantId: 'm1', itemId: 's-once', add: 5, requestId: 'req-once' };
    const answers = await Promise.all(Array.from({ length: 8 }, () => uc.setStock(restock)));
    expect(answers.map((a) => unwrap(a).stock)).toEqual(Array(8).fill(15));
    expect(await mdb.stock('s-once')).toBe(15);
    // Later, after an order took some: the repeat still answers what the change left.
    await mdb.pool.query(`UPDATE menu_items SET stock = 12 WHERE id = 's-once'`);
    expect(unwrap(await uc.setStock(restock)).stock).toBe(15);
    expect(await mdb.stock('s-once')).toBe(12);
    expect(await uc.setStock({ ...restock, add: 6 })).toMatchObject({
      ok: false,
      error: { code: 'IDEMPOTENCY_KEY_REUSED' },
    });
    expect(await mdb.stock('s-once')).toBe(12);
  });

  it('keys request ids per merchant: the same id applies for each merchant', async () => {
    unwrap(await uc.upsertMerchant(merchantInput({ id: 'm2' })));
    unwrap(await uc.upsertMenuItem(itemInput('s-m1', { stock: 10 })));
    unwrap(await uc.upsertMenuItem(itemInput('s-m2', { merchantId: 'm2', stock: 20 })));
    // m1 records the id first; m2's change under it is its own, neither answered with m1's
    // result nor refused as reuse.
    const m1 = { merchantId: 'm1', itemId: 's-m1', add: 1, requestId: 'req-shared' };
    const m2 = { merchantId: 'm2', itemId: 's-m2', add: -3, requestId: 'req-shared' };
    expect(unwrap(await uc.setStock(m1)).stock).toBe(11);
    expect(unwrap(await uc.setStock(m2)).stock).toBe(17);
    // Each merchant's repeat still answers its own record and changes nothing.
    expect(unwrap(await uc.setStock(m1)).stock).toBe(11);
    expect(unwrap(await uc.setStock(m2)).stock).toBe(17);
    expect([await mdb.stock('s-m1'), await mdb.stock('s-m2')]).toEqual([11, 17]);
  });

  it('records no refused change, and keeps concurrent relative changes exact', async () => {
    unwrap(await uc.upsertMenuItem(itemInput('s-par', { stock: 100 })));
    const refused = await uc.setStock({ merchantId: 'm1', itemId: 's-par', add: -101, requestId: 'req-no' });
    expect(refused).toMatchObject({ ok: false, error: { code: 'STOCK_INSUFFICIENT' } });
    const { rows } = await mdb.pool.query(`SELECT 1 FROM stock_changes WHERE request_id = 'req-no'`);
    expect(rows).toEqual([]);
    const all = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        uc.setStock({ merchantId: 'm1', itemId: 's-par', add: i % 2 ? 3 : -1, requestId: `req-par-${i}` }),
      ),
    );
    expect(all.every((r) => r.ok)).toBe(true);
    expect(await mdb.stock('s-par')).toBe(140);
  });

  it('refuses an add that would leave more than 1 000 000, naming add', async () => {
    unwrap(await uc.upsertMenuItem(itemInput('s-max', { stock: 999_990 })));
    expect(await uc.setStock({ merchantId: 'm1', itemId: 's-max', add: 11 })).toMatchObject({
      ok: false,
      error: { code: 'INVALID_ARGUMENT', fields: [{ field: 'add' }] },
    });
    expect(unwrap(await uc.setStock({ merchantId: 'm1', itemId: 's-max', add: 10 })).stock).toBe(1_000_000);
    // A figure above it (an absolute write over gRPC) may still be reduced.
    unwrap(await uc.setStock({ merchantId: 'm1', itemId: 's-max', stock: 2_000_000 }));
    expect(unwrap(await uc.setStock({ merchantId: 'm1', itemId: 's-max', add: -1 })).stock).toBe(1_999_999);
  });

  it('names the figure a write was refused on, not one read after it', async () => {
    unwrap(await uc.upsertMenuItem(itemInput('s-ref', { stock: 7 })));
    // Something changes the stock right after the first statement of each write.
    let between: string | undefined;
    const db = {
      query: async (text: string, params?: unknown[]) => {
        const res = await mdb.pool.query(text, params);
        if (between) await mdb.pool.query(between);
        between = undefined;
        return res;
      },
    } as unknown as Sql;
    const repo = pgMenuRepo(db);
    between = `UPDATE menu_items SET stock = 10 WHERE id = 's-ref'`;
    expect(await repo.setStock('m1', 's-ref', 12, 10)).toEqual({ ok: false, current: 7 });
    await mdb.pool.query(`UPDATE menu_items SET stock = 3 WHERE id = 's-ref'`);
    between = `UPDATE menu_items SET stock = 20 WHERE id = 's-ref'`;
    expect(await repo.addStock('m1', 's-ref', -5)).toEqual({ ok: false, current: 3 });
    expect(await repo.addStock('m1', 'nope', 1)).toBeUndefined();
  });

  /** Until `n` statements of this database wait for a row lock (no sleeps: the interleaving is fixed). */
  async function lockWaiters(n: number): Promise<void> {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const { rows } = await mdb.pool.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM pg_stat_activity
         WHERE datname = current_database() AND wait_event_type = 'Lock'`,
      );
      if ((rows[0]?.n ?? 0) >= n) return;
      if (Date.now() > deadline) throw new Error(`fewer than ${n} lock waiters`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  it('decides on the figure it locked: a restock committed while it waited lets a removal through', async () => {
    unwrap(await uc.upsertMenuItem(itemInput('s-wait', { stock: 0 })));
    const restock = await mdb.pool.connect();
    try {
      await restock.query('BEGIN');
      await restock.query(`UPDATE menu_items SET stock = 10 WHERE id = 's-wait'`);
      const removal = uc.setStock({ merchantId: 'm1', itemId: 's-wait', add: -5 });
      await lockWaiters(1);
      await restock.query('COMMIT');
      expect(unwrap(await removal).stock).toBe(5);
      expect(await mdb.stock('s-wait')).toBe(5);

      // The conditional set too: refused on the figure it locked, and naming that one.
      await restock.query('BEGIN');
      await restock.query(`UPDATE menu_items SET stock = 12 WHERE id = 's-wait'`);
      const set = pgMenuRepo(mdb.pool).setStock('m1', 's-wait', 20, 12);
      await lockWaiters(1);
      await restock.query('COMMIT');
      expect(await set).toMatchObject({ ok: true, item: { stock: 20 } });
    } finally {
      restock.release();
    }
  });

  it('a repeat queued behind its first request answers what the first did, not a refusal', async () => {
    unwrap(await uc.upsertMenuItem(itemInput('s-rep', { stock: 5 })));
    const holder = await mdb.pool.connect();
    try {
      await holder.query('BEGIN');
      await holder.query(`SELECT 1 FROM menu_items WHERE id = 's-rep' FOR UPDATE`);
      const change = { merchantId: 'm1', itemId: 's-rep', add: -5, requestId: 'req-rep' };
      // The first waits for the row; the gateway gives up on it (504) and the app repeats.
      const first = uc.setStock(change);
      await lockWaiters(1);
      const repeat = uc.setStock(change);
      await lockWaiters(2);
      await holder.query('COMMIT');
      expect(unwrap(await first).stock).toBe(0);
      // Without the re-read: 409 STOCK_INSUFFICIENT "only 0 left", kept 5 min by the gateway.
      expect(unwrap(await repeat).stock).toBe(0);
      expect(await mdb.stock('s-rep')).toBe(0);
    } finally {
      holder.release();
    }
  });

  it('purges request ids past the retention window', async () => {
    unwrap(await uc.upsertMenuItem(itemInput('s-old', { stock: 1 })));
    unwrap(await uc.setStock({ merchantId: 'm1', itemId: 's-old', add: 1, requestId: 'req-old' }));
    unwrap(await uc.setStock({ merchantId: 'm1', itemId: 's-old', add: 1, requestId: 'req-new' }));
    await mdb.pool.query(
      `UPDATE stock_changes SET created_at = now() - interval '3 days' WHERE request_id = 'req-old'`,
    );
    await pgRetentionRepo(mdb.pool).purgeFinished(new Date(Date.now() - 86_400_000), 1_000);
    const { rows } = await mdb.pool.query<{ request_id: string }>(
      `SELECT request_id FROM stock_changes WHERE request_id LIKE 'req-%' ORDER BY 1`,
    );
    expect(rows.map((r) => r.request_id)).not.toContain('req-old');
    expect(rows.map((r) => r.request_id)).toContain('req-new');
  });
});
