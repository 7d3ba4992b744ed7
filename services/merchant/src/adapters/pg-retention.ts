import { purgeRows, type PurgeStep } from '@mealpeak/db';
import type { RetentionRepo } from '../app/ports.ts';
import type { Sql } from './pg-rows.ts';

/**
 * Retention of finished work (docs/merchant.md, ADR 0012). Rows are found through their
 * created_at index (immutable, so indexing it costs the hot updates nothing) and must also be
 * unchanged since the cut-off.
 */
const STEPS: readonly PurgeStep[] = [
  {
    name: 'merchants.purge-kitchen',
    table: 'kitchen_orders',
    key: ['order_id'],
    // A placed row that old only lacks its REJECTED event: it no longer counts (PLACED_COUNTS_FOR_MS).
    where: `x.created_at < $1 AND x.updated_at < $1 AND x.state IN ('placed', 'ready', 'dropped')`,
  },
  {
    // A confirmed reservation stays while its order is still being cooked: a late CANCELLED must
    // still find it to put the stock back.
    name: 'merchants.purge-reservations',
    table: 'reservations',
    key: ['order_id'],
    where: `x.created_at < $1 AND x.updated_at < $1
            AND (x.state = 'released' OR (x.state = 'confirmed' AND NOT EXISTS (
                  SELECT 1 FROM kitchen_orders k WHERE k.order_id = x.order_id AND k.state IN ('placed', 'accepted'))))`,
  },
  {
    // Stock changes made under a request id (adr/0022): a retry comes within minutes, and the
    // gateway's own record lasts a day; the kitchen window is longer than both.
    name: 'merchants.purge-stock-changes',
    table: 'stock_changes',
    key: ['merchant_id', 'request_id'],
    where: `x.created_at < $1`,
  },
];

export function pgRetentionRepo(db: Sql): RetentionRepo {
  return { purgeFinished: (before, limit) => purgeRows(db, STEPS, before, limit) };
}
