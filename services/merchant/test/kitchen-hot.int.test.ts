import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pgKitchenRepo } from '../src/adapters/pg-kitchen.ts';
import { createMerchantDb, type MerchantDb } from './support.ts';

// Each order's kitchen row goes ready -> ready up to three times (RIDER_ASSIGNED, PICKED_UP,
// DELIVERED bump only version and updated_at). No index may cover those columns, or none of these
// updates is HOT (a new entry in every index, and bloat): migration 0008 indexes created_at.
describe('ready -> ready kitchen updates', () => {
  let mdb: MerchantDb;
  beforeAll(async () => {
    mdb = await createMerchantDb(2);
  });
  afterAll(async () => mdb?.close());

  it('are HOT updates', async () => {
    const client = await mdb.pool.connect();
    try {
      const kitchen = pgKitchenRepo(client);
      const orders = ['h1', 'h2', 'h3', 'h4', 'h5'];
      for (const orderId of orders)
        await kitchen.saveKitchenOrder({ orderId, merchantId: 'm1', state: 'ready', version: 4 });
      const counters = async () =>
        (
          await client.query<{ hot: number; upd: number }>(
            `SELECT pg_stat_get_xact_tuples_hot_updated('kitchen_orders'::regclass)::int AS hot,
                    pg_stat_get_xact_tuples_updated('kitchen_orders'::regclass)::int AS upd`,
          )
        ).rows[0]!;
      let hot = 0;
      let updated = 0;
      // One transaction per update, as the event consumer applies them. The backend's own pending
      // counters, read before and after the update inside its transaction, give exact figures
      // (pg_stat_user_tables only sees what was flushed, a second or so later).
      for (const orderId of orders)
        for (const version of [5, 6, 7]) {
          await client.query('BEGIN');
          const before = await counters();
          await kitchen.saveKitchenOrder({ orderId, merchantId: 'm1', state: 'ready', version });
          const after = await counters();
          await client.query('COMMIT');
          hot += after.hot - before.hot;
          updated += after.upd - before.upd;
        }
      expect(updated).toBe(15);
      expect(hot).toBe(15);
    } finally {
      client.release();
    }
  });
});
