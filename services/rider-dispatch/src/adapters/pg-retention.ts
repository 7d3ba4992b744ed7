import type { Pool } from '@mealpeak/db';
import type { DispatchStore } from '../app/ports.ts';

/**
 * Retention of finished work (docs/dispatch-service.md). Orders are found by placed_at and offers
 * by created_at, both immutable, so the indexes on them cost the hot state updates nothing;
 * SKIP LOCKED lets replicas purge at once without waiting on each other or on a round.
 */
export function createPgRetentionStore(pool: Pool): Pick<DispatchStore, 'purgeFinished'> {
  return {
    async purgeFinished(before, limit) {
      const orders = await pool.query({
        name: 'dispatch.purge-orders',
        text: `DELETE FROM dispatch_orders d
                USING (SELECT order_id FROM dispatch_orders
                        WHERE placed_at < $1 AND state IN ('delivered', 'cancelled')
                        LIMIT $2 FOR UPDATE SKIP LOCKED) old
                WHERE d.order_id = old.order_id`,
        values: [before, limit],
      });
      const purged = orders.rowCount ?? 0;
      if (purged >= limit) return purged;
      const offers = await pool.query({
        name: 'dispatch.purge-offers',
        text: `DELETE FROM offers f
                USING (SELECT offer_id FROM offers x
                        WHERE created_at < $1 AND status <> 'pending'
                          AND NOT EXISTS (SELECT 1 FROM dispatch_orders o WHERE o.offer_id = x.offer_id
                                             AND o.state NOT IN ('delivered', 'cancelled'))
                        LIMIT $2 FOR UPDATE SKIP LOCKED) old
                WHERE f.offer_id = old.offer_id`,
        values: [before, limit - purged],
      });
      return purged + (offers.rowCount ?? 0);
    },
  };
}
