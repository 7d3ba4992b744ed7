import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unwrap } from '@mealpeak/core';
import { itemInput, merchantInput, testDeps } from '../src/app/test-support/fixtures.ts';
import { createUseCases } from '../src/app/use-cases.ts';
import type { UseCases } from '../src/app/use-cases.ts';
import { createMerchantDb, type MerchantDb } from './support.ts';

describe('stock reservations against the real PostgreSQL', () => {
  let mdb: MerchantDb;
  let uc: UseCases;

  beforeAll(async () => {
    mdb = await createMerchantDb(20);
    uc = mdb.service().service.useCases;
    unwrap(await uc.upsertMerchant(merchantInput()));
  });
  afterAll(async () => {
    await mdb?.close();
  });

  const reservationStates = async (prefix: string) => {
    const { rows } = await mdb.pool.query<{ state: string; n: number }>(
      `SELECT state, count(*)::int AS n FROM reservations WHERE order_id LIKE $1 || '%' GROUP BY state`,
      [prefix],
    );
    return Object.fromEntries(rows.map((r) => [r.state, r.n]));
  };

  it('never oversells: 200 concurrent orders for 50 units, exactly 50 succeed', async () => {
    unwrap(await uc.upsertMenuItem(itemInput('hot-item', { stock: 50 })));
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        uc.reserveStock({
          orderId: `rush-${i}`,
          merchantId: 'm1',
          lines: [{ itemId: 'hot-item', quantity: 1 }],
        }),
      ),
    );
    const failures = results.flatMap((r) => (r.ok ? [] : [r.error]));
    expect(results.filter((r) => r.ok)).toHaveLength(50);
    expect(failures).toHaveLength(150);
    for (const f of failures)
      expect(f).toMatchObject({
        code: 'STOCK_EXHAUSTED',
        kind: 'exhausted',
        fields: [{ field: 'lines[0].quantity' }],
      });
    expect(await mdb.stock('hot-item')).toBe(0);
    expect(await reservationStates('rush-')).toEqual({ tentative: 50 });
  });

  it('keeps the units orders took when an item is edited without stock', async () => {
    unwrap(await uc.upsertMenuItem(itemInput('edited-item', { stock: 5 })));
    const shown = unwrap(await uc.getMerchant('m1')).menu.find((i) => i.id === 'edited-item')!;
    const taken = await Promise.all(
      Array.from({ length: 5 }, (_, i) =>
        uc.reserveStock({
          orderId: `edit-${i}`,
          merchantId: 'm1',
          lines: [{ itemId: 'edited-item', quantity: 1 }],
        }),
      ),
    );
    expect(taken.every((r) => r.ok)).toBe(true);
    // The merchant app raises the price of the item it loaded before those orders, without stock.
    const { stock: _stale, ...edit } = itemInput('edited-item', { priceMinor: shown.priceMinor + 100 });
    const saved = unwrap(await uc.upsertMenuItem({ ...edit, stock: undefined, replaceOnly: true }));
    expect(saved).toMatchObject({ priceMinor: shown.priceMinor + 100, stock: 0 });
    expect(await mdb.stock('edited-item')).toBe(0);
    const more = await uc.reserveStock({
      orderId: 'edit-late',
      merchantId: 'm1',
      lines: [{ itemId: 'edited-item', quantity: 1 }],
    });
    expect(more).toMatchObject({ ok: false, error: { code: 'STOCK_EXHAUSTED' } });
    // Creating an item still needs its stock.
    expect(await uc.upsertMenuItem({ ...itemInput('new-item'), stock: undefined })).toMatchObject({
      ok: false,
      error: { code: 'INVALID_ARGUMENT', fields: [{ field: 'stock' }] },
    });
  });

  it('charges the price in the database when the cached one is a second old', async () => {
    const t = testDeps(mdb.service().store);
    // A cache that never expires within the test: what another replica's edit leaves behind.
    const cached = createUseCases({ ...t.deps, settings: { ...t.deps.settings, catalogueCacheMs: 60_000 } });
    unwrap(await uc.upsertMenuItem(itemInput('repriced', { stock: 10, priceMinor: 1_000 })));
    const first = unwrap(
      await cached.reserveStock({
        orderId: 'price-1',
        merchantId: 'm1',
        lines: [{ itemId: 'repriced', quantity: 2 }],
      }),
    );
    expect(first.totalMinor).toBe(2_000);
    await mdb.pool.query(`UPDATE menu_items SET price_minor = 1500 WHERE id = 'repriced'`);
    const second = unwrap(
      await cached.reserveStock({
        orderId: 'price-2',
        merchantId: 'm1',
        lines: [{ itemId: 'repriced', quantity: 2 }],
      }),
    );
    expect(second).toMatchObject({
      totalMinor: 3_000,
      lines: [{ unitPriceMinor: 1_500, lineTotalMinor: 3_000 }],
    });
    const { rows } = await mdb.pool.query<{ total_minor: string }>(
      `SELECT total_minor FROM reservations WHERE order_id = 'price-2'`,
    );
    expect(Number(rows[0]!.total_minor)).toBe(3_000);
    expect(await mdb.stock('repriced')).toBe(6);
  });

  it('takes stock once for concurrent duplicates of one order, and answers them all alike', async () => {
    unwrap(await uc.upsertMenuItem(itemInput('dup-item', { stock: 10 })));
    const results = await Promise.all(
      Array.from({ length: 25 }, () =>
        uc.reserveStock({ orderId: 'dup-1', merchantId: 'm1', lines: [{ itemId: 'dup-item', quantity: 3 }] }),
      ),
    );
    const values = results.map(unwrap);
    for (const v of values) expect(v).toEqual(values[0]);
    expect(await mdb.stock('dup-item')).toBe(7);
  });

  it('rolls a multi-line reservation back when one line is short', async () => {
    unwrap(await uc.upsertMenuItem(itemInput('plenty', { stock: 10 })));
    unwrap(await uc.upsertMenuItem(itemInput('scarce', { stock: 1 })));
    const result = await uc.reserveStock({
      orderId: 'multi-1',
      merchantId: 'm1',
      lines: [
        { itemId: 'plenty', quantity: 4 },
        { itemId: 'scarce', quantity: 2 },
      ],
    });
    expect(result).toMatchObject({
      ok: false,
      error: { code: 'STOCK_EXHAUSTED', fields: [{ field: 'lines[1].quantity' }] },
    });
    expect([await mdb.stock('plenty'), await mdb.stock('scarce')]).toEqual([10, 1]);
  });

  it('restores stock exactly once, however many releases arrive, even concurrently', async () => {
    unwrap(await uc.upsertMenuItem(itemInput('rel-item', { stock: 10 })));
    unwrap(
      await uc.reserveStock({
        orderId: 'rel-1',
        merchantId: 'm1',
        lines: [{ itemId: 'rel-item', quantity: 4 }],
      }),
    );
    expect(await mdb.stock('rel-item')).toBe(6);
    const first = unwrap(await uc.releaseStock({ orderId: 'rel-1', reason: 'PLACEMENT_FAILED' }));
    const second = unwrap(await uc.releaseStock({ orderId: 'rel-1', reason: 'PLACEMENT_FAILED' }));
    expect([first.released, second.released]).toEqual([true, false]);
    expect(await mdb.stock('rel-item')).toBe(10);

    unwrap(
      await uc.reserveStock({
        orderId: 'rel-2',
        merchantId: 'm1',
        lines: [{ itemId: 'rel-item', quantity: 5 }],
      }),
    );
    const concurrent = await Promise.all(
      Array.from({ length: 10 }, () => uc.releaseStock({ orderId: 'rel-2', reason: '' })),
    );
    expect(concurrent.map(unwrap).filter((r) => r.released)).toHaveLength(1);
    expect(await mdb.stock('rel-item')).toBe(10);
  });

  it('ends with all stock back when reservations race their own compensation', async () => {
    unwrap(await uc.upsertMenuItem(itemInput('race-item', { stock: 100 })));
    await Promise.all(
      Array.from({ length: 30 }, (_, i) => [
        uc.reserveStock({
          orderId: `race-${i}`,
          merchantId: 'm1',
          lines: [{ itemId: 'race-item', quantity: 2 }],
        }),
        uc.releaseStock({ orderId: `race-${i}`, reason: 'PLACEMENT_TIMED_OUT' }),
      ]).flat(),
    );
    // Whichever came first, no reservation holds stock: released, or refused by the tombstone.
    expect(await mdb.stock('race-item')).toBe(100);
    expect(await reservationStates('race-')).toEqual({ released: 30 });
  });
});
