import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unwrap } from '@mealpeak/core';
import { seedFinishedWork } from '../src/app/test-support/finished-work.ts';
import { createTestClock, itemInput, merchantInput } from '../src/app/test-support/fixtures.ts';
import type { MerchantStore } from '../src/app/ports.ts';
import type { UseCases } from '../src/app/use-cases.ts';
import { createMerchantDb, type MerchantDb } from './support.ts';

/** The production default (KITCHEN_RETENTION_HOURS): eight days. */
const RETENTION_HOURS = 192;

const ALL_DAY = Array.from({ length: 7 }, (_, d) => ({ dayOfWeek: d, openMinute: 0, closeMinute: 1440 }));

describe('retention of finished work against the real PostgreSQL', () => {
  let mdb: MerchantDb;
  let uc: UseCases;
  let store: MerchantStore;

  beforeAll(async () => {
    mdb = await createMerchantDb(10);
    // The database stamps rows with its own now(): the use case's clock must be the real one.
    const running = mdb.service({ clock: createTestClock(new Date()) });
    store = running.store;
    uc = running.service.useCases;
    unwrap(await uc.upsertMerchant(merchantInput({ openingHours: ALL_DAY })));
    unwrap(await uc.upsertMenuItem(itemInput('burger', { stock: 100 })));
  });
  afterAll(async () => mdb?.close());

  it('purges finished kitchen rows and reservations past the retention, in batches, from two replicas', async () => {
    const released = Array.from({ length: 30 }, (_, i) => `released-${i}`);
    await seedFinishedWork(uc, store, released);

    // Nothing is old enough yet.
    expect(await uc.purgeFinished(RETENTION_HOURS, 100)).toBe(0);
    for (const table of ['reservations', 'kitchen_orders'])
      await mdb.pool.query(
        `UPDATE ${table} SET created_at = now() - interval '9 days', updated_at = now() - interval '9 days'`,
      );

    const drainAll = async () => {
      let total = 0;
      for (
        let n = await uc.purgeFinished(RETENTION_HOURS, 5);
        n > 0;
        n = await uc.purgeFinished(RETENTION_HOURS, 5)
      )
        total += n;
      return total;
    };
    const [a, b] = await Promise.all([drainAll(), drainAll()]);
    expect(a + b).toBe(32); // the ready kitchen row, its reservation, the 30 released ones

    const ids = async (table: string) =>
      (
        await mdb.pool.query<{ order_id: string }>(`SELECT order_id FROM ${table} ORDER BY order_id`)
      ).rows.map((r) => r.order_id);
    expect(await ids('reservations')).toEqual(['cooking', 'tentative']);
    expect(await ids('kitchen_orders')).toEqual(['cooking']);
    // Stock is untouched by forgetting: 33 taken, 30 given back by the releases.
    expect(await mdb.stock('burger')).toBe(97);
  });
});
