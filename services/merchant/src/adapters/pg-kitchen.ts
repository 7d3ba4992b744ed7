import { ACCEPTED_COUNTS_FOR_MS, PLACED_COUNTS_FOR_MS } from '../domain/kitchen.ts';
import type { KitchenRepo } from '../app/ports.ts';
import { toKitchenOrder, type KitchenRow, type Sql } from './pg-rows.ts';

export function pgKitchenRepo(db: Sql): KitchenRepo {
  return {
    async getKitchenOrder(orderId) {
      const { rows } = await db.query<KitchenRow>(
        'SELECT order_id, merchant_id, state, version FROM kitchen_orders WHERE order_id = $1',
        [orderId],
      );
      return rows[0] && toKitchenOrder(rows[0]);
    },

    async saveKitchenOrder(k) {
      // Only a newer snapshot wins, even if a caller forgot to compare versions first.
      await db.query(
        `INSERT INTO kitchen_orders (order_id, merchant_id, state, version) VALUES ($1, $2, $3, $4)
         ON CONFLICT (order_id) DO UPDATE SET state = EXCLUDED.state, version = EXCLUDED.version,
           updated_at = now()
         WHERE kitchen_orders.version < EXCLUDED.version`,
        [k.orderId, k.merchantId, k.state, k.version],
      );
    },

    async countBacklog(merchantId, upTo) {
      // Two bounded index range scans: accepted rows created in the last ACCEPTED_COUNTS_FOR_MS
      // (kitchen_orders_cooking) and placed rows of the last PLACED_COUNTS_FOR_MS
      // (kitchen_orders_intake), each from the newest and at most upTo. Both bound created_at,
      // which no update changes (indexing it keeps ready -> ready updates HOT).
      const { rows } = await db.query<{ n: number }>(
        `SELECT (SELECT count(*) FROM (SELECT 1 FROM kitchen_orders
                  WHERE merchant_id = $1 AND state = 'accepted'
                    AND created_at > now() - make_interval(secs => $4) LIMIT $3) a)
              + (SELECT count(*) FROM (SELECT 1 FROM kitchen_orders
                  WHERE merchant_id = $1 AND state = 'placed'
                    AND created_at > now() - make_interval(secs => $2) LIMIT $3) p) AS n`,
        [merchantId, PLACED_COUNTS_FOR_MS / 1000, upTo, ACCEPTED_COUNTS_FOR_MS / 1000],
      );
      return Math.min(upTo, Number(rows[0]?.n ?? 0));
    },
  };
}
