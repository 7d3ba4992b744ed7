import { purgeRows, type Pool, type PurgeStep } from '@mealpeak/db';
import type { DispatchStore } from '../app/ports.ts';

/**
 * Retention of finished work (docs/dispatch-service.md, ADR 0012). Orders are found by placed_at
 * and offers by created_at, both immutable, so the indexes on them cost the hot state updates
 * nothing.
 */
const STEPS: readonly PurgeStep[] = [
  {
    name: 'dispatch.purge-orders',
    table: 'dispatch_orders',
    key: ['order_id'],
    where: `x.placed_at < $1 AND x.state IN ('delivered', 'cancelled')`,
  },
  {
    name: 'dispatch.purge-offers',
    table: 'offers',
    key: ['offer_id'],
    where: `x.created_at < $1 AND x.status <> 'pending'
            AND NOT EXISTS (SELECT 1 FROM dispatch_orders o WHERE o.offer_id = x.offer_id
                              AND o.state NOT IN ('delivered', 'cancelled'))`,
  },
  {
    name: 'dispatch.purge-order-releases',
    table: 'order_releases',
    key: ['id'],
    where: 'x.released_at < $1',
  },
];

export function createPgRetentionStore(pool: Pool): Pick<DispatchStore, 'purgeFinished'> {
  return { purgeFinished: (before, limit) => purgeRows(pool, STEPS, before, limit) };
}
