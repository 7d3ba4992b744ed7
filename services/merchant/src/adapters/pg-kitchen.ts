import { ACCEPTED_COUNTS_FOR_MS, PLACED_COUNTS_FOR_MS } from '../domain/kitchen.ts';
import type { KitchenRepo } from '../app/ports.ts';
import {
  MERCHANT_COLUMNS,
  toKitchenOrder,
  toMerchant,
  type KitchenRow,
  type MerchantRow,
  type Sql,
} from './pg-rows.ts';

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
      // (kitchen_orders_accepted_created) and placed rows of the last PLACED_COUNTS_FOR_MS
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

    async countAhead(merchantId, orderId, upTo) {
      // countBacklog's two range scans less the order itself, the placed one also bounded above by
      // the order's own created_at (an index bound: kitchen_orders_intake). Rows filed in one batch
      // are a microsecond apart in event order (confirmPlaced); rows of two transactions may still
      // share an instant, and the order id breaks that tie. Without a row for the order: no bound.
      const { rows } = await db.query<{ n: number }>(
        `WITH me AS (SELECT created_at, order_id FROM kitchen_orders WHERE order_id = $2 AND merchant_id = $1)
         SELECT (SELECT count(*) FROM (SELECT 1 FROM kitchen_orders
                  WHERE merchant_id = $1 AND state = 'accepted' AND order_id <> $2
                    AND created_at > now() - make_interval(secs => $5) LIMIT $4) a)
              + (SELECT count(*) FROM (SELECT 1 FROM kitchen_orders k
                  WHERE merchant_id = $1 AND state = 'placed' AND order_id <> $2
                    AND created_at > now() - make_interval(secs => $3)
                    AND created_at <= COALESCE((SELECT created_at FROM me), 'infinity')
                    AND NOT EXISTS (SELECT 1 FROM me WHERE k.created_at = me.created_at AND k.order_id >= me.order_id)
                  LIMIT $4) p) AS n`,
        [merchantId, orderId, PLACED_COUNTS_FOR_MS / 1000, upTo, ACCEPTED_COUNTS_FOR_MS / 1000],
      );
      return Math.min(upTo, Number(rows[0]?.n ?? 0));
    },

    async lockAgedBacklogs(afterId, limit) {
      // A scan of merchants (no index on backlog or auto_paused: indexing them would cost the HOT
      // updates of every recount), then per candidate one probe of kitchen_orders_accepted_created or
      // kitchen_orders_intake for its oldest counted row. Merchants held by another transaction
      // are skipped: that one recounts them itself, or the next sweep does.
      const { rows } = await db.query<MerchantRow>(
        `SELECT ${MERCHANT_COLUMNS} FROM merchants m
         WHERE (m.auto_paused OR m.backlog > 0) AND m.id > $1
           AND (EXISTS (SELECT 1 FROM kitchen_orders k WHERE k.merchant_id = m.id AND k.state = 'accepted'
                          AND k.created_at <= now() - make_interval(secs => $2))
             OR EXISTS (SELECT 1 FROM kitchen_orders k WHERE k.merchant_id = m.id AND k.state = 'placed'
                          AND k.created_at <= now() - make_interval(secs => $3)))
         ORDER BY m.id
         LIMIT $4
         FOR UPDATE OF m SKIP LOCKED`,
        [afterId, ACCEPTED_COUNTS_FOR_MS / 1000, PLACED_COUNTS_FOR_MS / 1000, limit],
      );
      return rows.map(toMerchant);
    },
  };
}
