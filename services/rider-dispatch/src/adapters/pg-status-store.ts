import { withTransaction, type Pool } from '@mealpeak/db';
import type { DispatchStore } from '../app/ports.ts';
import type { DeclinedBy, OfferStatus } from '../domain/delivery/model.ts';
import type { OrderOfferRecord, OfferTally } from '../domain/delivery/dispatch-status.ts';
import type { ReleaseReason } from '../domain/delivery/release.ts';
import { ORDER_COLUMNS, rowToOrder, type OrderRow } from './pg-rows.ts';

type StatusStore = Pick<DispatchStore, 'dispatchRecord'>;

interface OrderOfferRow {
  offer_id: string;
  rider_id: string;
  order_ids: string[];
  status: OfferStatus;
  declined_by: DeclinedBy | null;
  created_at: Date;
  expires_at: Date;
  responded_at: Date | null;
  release_reason: ReleaseReason | null;
  released_at: Date | null;
}

interface TallyRow {
  status: OfferStatus;
  declined_by: DeclinedBy | null;
  released: boolean;
  count: number;
}

const toRecord = (r: OrderOfferRow): OrderOfferRecord => ({
  offerId: r.offer_id,
  riderId: r.rider_id,
  orderIds: r.order_ids,
  status: r.status,
  declinedBy: r.declined_by ?? undefined,
  offeredAt: r.created_at,
  expiresAt: r.expires_at,
  respondedAt: r.responded_at ?? undefined,
  release:
    r.release_reason && r.released_at ? { reason: r.release_reason, releasedAt: r.released_at } : undefined,
});

/**
 * The offers of an order are found through their order_ids, by the GIN index offers_order_ids
 * (migration 0011: `order_ids @> ARRAY[id]`; without it, every read walked all offers);
 * releases by order_releases_order. A release counts for the accepted offer it took the order from.
 */
export const RECENT_OFFERS_SQL = `
  SELECT f.offer_id, f.rider_id, f.order_ids, f.status, f.declined_by, f.created_at, f.expires_at,
         f.responded_at, r.reason AS release_reason, r.released_at
    FROM offers f
    LEFT JOIN LATERAL (SELECT reason, released_at FROM order_releases
                        WHERE order_id = $1 AND offer_id = f.offer_id
                        ORDER BY released_at DESC LIMIT 1) r ON f.status = 'accepted'
   WHERE f.order_ids @> ARRAY[$1::text]
   ORDER BY f.created_at DESC, f.offer_id DESC
   LIMIT $2`;

export const OFFER_TALLIES_SQL = `
  SELECT f.status, f.declined_by,
         f.status = 'accepted' AND EXISTS (SELECT 1 FROM order_releases r
                                             WHERE r.order_id = $1 AND r.offer_id = f.offer_id) AS released,
         count(*)::int AS count
    FROM offers f
   WHERE f.order_ids @> ARRAY[$1::text]
   GROUP BY 1, 2, 3`;

/** Ops' read of one order (docs/dispatch-service.md#where-an-order-stands-getdispatchstatus). */
export function createPgStatusStore(pool: Pool): StatusStore {
  return {
    dispatchRecord(orderId, offersLimit) {
      // One snapshot, so the counts, the list and the row agree while rounds and riders move on.
      return withTransaction(
        pool,
        async (tx) => {
          const order = await tx.query<OrderRow & { updated_at: Date }>(
            `SELECT ${ORDER_COLUMNS}, updated_at FROM dispatch_orders WHERE order_id = $1`,
            [orderId],
          );
          const row = order.rows[0];
          if (!row) return undefined;
          const recent = await tx.query<OrderOfferRow>(RECENT_OFFERS_SQL, [orderId, offersLimit]);
          const tallies = await tx.query<TallyRow>(OFFER_TALLIES_SQL, [orderId]);
          return {
            order: rowToOrder(row),
            updatedAt: row.updated_at,
            recentOffers: recent.rows.map(toRecord),
            tallies: tallies.rows.map((t): OfferTally => ({
              status: t.status,
              declinedBy: t.declined_by ?? undefined,
              released: t.released,
              count: t.count,
            })),
          };
        },
        { isolation: 'repeatable read' },
      );
    },
  };
}
