import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unwrap } from '@mealpeak/core';
import { createUseCases } from '../src/app/use-cases.ts';
import { itemInput, merchantInput, testDeps } from '../src/app/test-support/fixtures.ts';
import { createMerchantDb, type MerchantDb } from './support.ts';

describe('the menu cap against the real PostgreSQL', () => {
  let mdb: MerchantDb;

  beforeAll(async () => {
    mdb = await createMerchantDb(20);
  });
  afterAll(async () => {
    await mdb?.close();
  });

  it('holds exactly under concurrent creations: one slot left, one of 20 gets it', async () => {
    const { store } = mdb.service();
    const t = testDeps(store);
    const uc = createUseCases({ ...t.deps, settings: { ...t.deps.settings, maxMenuItems: 5 } });
    unwrap(await uc.upsertMerchant(merchantInput()));
    for (const id of ['a', 'b', 'c', 'd']) unwrap(await uc.upsertMenuItem(itemInput(`cap-${id}`)));

    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => uc.upsertMenuItem(itemInput(`rush-${i}`))),
    );

    expect(results.filter((r) => r.ok)).toHaveLength(1);
    for (const r of results.filter((r) => !r.ok))
      expect(r).toMatchObject({ ok: false, error: { code: 'MENU_FULL' } });
    const { rows } = await mdb.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM menu_items WHERE merchant_id = 'm1'`,
    );
    expect(rows[0]!.n).toBe(5);
    // Changing an item of a full menu still works, concurrently too.
    const edits = await Promise.all(
      ['a', 'b', 'c'].map((id) => uc.upsertMenuItem(itemInput(`cap-${id}`, { stock: 7 }))),
    );
    expect(edits.every((r) => r.ok)).toBe(true);
  });
});
