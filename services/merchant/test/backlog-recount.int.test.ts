import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unwrap } from '@mealpeak/core';
import { applyOrderSnapshot } from '../src/app/kitchen-sync.ts';
import { itemInput, merchantInput } from '../src/app/test-support/fixtures.ts';
import { createMerchantDb, type MerchantDb } from './support.ts';

async function until<T>(read: () => Promise<T>, done: (v: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await read();
    if (done(v) || Date.now() > deadline) return v;
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('a store auto-paused by orders nobody marks ready', () => {
  let mdb: MerchantDb;
  beforeAll(async () => {
    mdb = await createMerchantDb(4);
  });
  afterAll(async () => mdb?.close());

  it('resumes once they stop counting, without any new order event', async () => {
    const { service, store } = mdb.service();
    const uc = service.useCases;
    unwrap(await uc.upsertMerchant(merchantInput({ autoPauseBacklog: 2 })));
    unwrap(await uc.upsertMenuItem(itemInput('burger', { stock: 10 })));
    for (const orderId of ['f1', 'f2'])
      await store.transaction((tx) =>
        applyOrderSnapshot(tx, { orderId, merchantId: 'm1', state: 'ACCEPTED', version: 2 }, '', new Date()),
      );
    expect(unwrap(await uc.getMerchant('m1')).merchant).toMatchObject({ status: 'AUTO_PAUSED', backlog: 2 });
    const busy = await uc.reserveStock({
      orderId: 'new-0',
      merchantId: 'm1',
      lines: [{ itemId: 'burger', quantity: 1 }],
    });
    expect(busy.ok ? undefined : busy.error.code).toBe('MERCHANT_BUSY');

    const recount = service.startBacklogRecount();
    try {
      // Nothing is past the counting age yet: the recount leaves the pause alone.
      expect((await uc.recountAgedBacklogs(10)).recounted).toBe(0);
      expect(unwrap(await uc.getMerchant('m1')).merchant.status).toBe('AUTO_PAUSED');
      // The merchant never marks them ready; the bound passes.
      await mdb.pool.query(`UPDATE kitchen_orders SET created_at = now() - interval '7 hours'`);
      const m = await until(
        async () => unwrap(await uc.getMerchant('m1')).merchant,
        (merchant) => merchant.status === 'OPEN',
      );
      expect(m).toMatchObject({ status: 'OPEN', backlog: 0 });
    } finally {
      await recount.stop();
    }
    // The same status event as any other recount: paused, then recovered.
    const { rows } = await mdb.pool.query<{ recovered: boolean }>(
      `SELECT position('BACKLOG_RECOVERED'::bytea IN payload) > 0 AS recovered FROM outbox
       WHERE key = 'm1' ORDER BY id`,
    );
    expect(rows.map((r) => r.recovered)).toEqual([false, true]);
    unwrap(
      await uc.reserveStock({
        orderId: 'new-1',
        merchantId: 'm1',
        lines: [{ itemId: 'burger', quantity: 1 }],
      }),
    );
  });

  it('recounts a batch of candidates once each, skipping merchants another transaction holds', async () => {
    const { service, store } = mdb.service();
    const uc = service.useCases;
    for (const id of ['r1', 'r2', 'r3']) {
      unwrap(await uc.upsertMerchant(merchantInput({ id, autoPauseBacklog: 1 })));
      await store.transaction((tx) =>
        applyOrderSnapshot(
          tx,
          { orderId: `${id}-o`, merchantId: id, state: 'ACCEPTED', version: 2 },
          '',
          new Date(),
        ),
      );
    }
    await mdb.pool.query(
      `UPDATE kitchen_orders SET created_at = now() - interval '7 hours' WHERE merchant_id LIKE 'r_'`,
    );
    const holder = await mdb.pool.connect();
    try {
      await holder.query('BEGIN');
      await holder.query(`SELECT 1 FROM merchants WHERE id = 'r2' FOR UPDATE`);
      expect(await uc.recountAgedBacklogs(1)).toEqual({ recounted: 2, changed: 2 });
      expect(unwrap(await uc.getMerchant('r2')).merchant.status).toBe('AUTO_PAUSED');
    } finally {
      await holder.query('ROLLBACK');
      holder.release();
    }
    expect(await uc.recountAgedBacklogs(1)).toEqual({ recounted: 1, changed: 1 });
    expect(unwrap(await uc.getMerchant('r2')).merchant.status).toBe('OPEN');
  });
});
