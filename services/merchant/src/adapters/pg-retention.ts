import type { RetentionRepo } from '../app/ports.ts';
import type { Sql } from './pg-rows.ts';

/**
 * Retention of finished work (docs/merchant.md). Rows are found through their created_at index
 * (immutable, so indexing it costs the hot updates nothing) and must also be unchanged since the
 * cut-off; SKIP LOCKED lets replicas purge at once without waiting on each other or on a consumer.
 */
export function pgRetentionRepo(db: Sql): RetentionRepo {
  return {
    async purgeFinished(before, limit) {
      const kitchen = await db.query({
        name: 'merchants.purge-kitchen',
        text: `DELETE FROM kitchen_orders k
                USING (SELECT order_id FROM kitchen_orders
                        WHERE created_at < $1 AND updated_at < $1 AND state IN ('ready', 'dropped')
                        LIMIT $2 FOR UPDATE SKIP LOCKED) old
                WHERE k.order_id = old.order_id`,
        values: [before, limit],
      });
      const purged = kitchen.rowCount ?? 0;
      if (purged >= limit) return purged;
      // A confirmed reservation stays while its order is still being cooked: a late CANCELLED
      // must still find it to put the stock back.
      const reservations = await db.query({
        name: 'merchants.purge-reservations',
        text: `DELETE FROM reservations r
                USING (SELECT order_id FROM reservations x
                        WHERE created_at < $1 AND updated_at < $1
                          AND (state = 'released' OR (state = 'confirmed' AND NOT EXISTS (
                                SELECT 1 FROM kitchen_orders k
                                 WHERE k.order_id = x.order_id AND k.state = 'accepted')))
                        LIMIT $2 FOR UPDATE SKIP LOCKED) old
                WHERE r.order_id = old.order_id`,
        values: [before, limit - purged],
      });
      return purged + (reservations.rowCount ?? 0);
    },
  };
}
