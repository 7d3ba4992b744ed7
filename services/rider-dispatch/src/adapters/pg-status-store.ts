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
  withdrawn: boolean;
}

interface TallyRow {
  status: OfferStatus;
  declined_by: DeclinedBy | null;
  released: boolean;
  withdrawn: boolean;
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
  withdrawn: r.withdrawn,
});

/**
 * OutcomeFacts.withdrawn of offer f for order o: o was cancelled while f was pending. A cancelled
 * order keeps the offer it was in (offer_id); cancelled_from (migration 0012), written by the
 * cancellation, says whether it was still only offered then. Orders cancelled before that column
 * (or by a replica of the previous release) are judged by the times as before: f still pending,
 * or answered after the cancellation (updated_at) for the rest of its bundle.
 */
const WITHDRAWN_BY_CANCELLATION = `
  coalesce(o.state = 'cancelled' AND f.offer_id = o.offer_id
           AND CASE WHEN o.cancelled_from IS NOT NULL THEN o.cancelled_from = 'offered'
                    ELSE f.responded_at IS NULL OR f.responded_at > o.updated_at END, false)`;

/**
 * The offers of an order are found through their order_ids, by the GIN index offers_order_ids
 * (migration 0011: `order_ids @> ARRAY[id]`; without it, every read walked all offers);
 * releases by order_releases_order. A release counts for the accepted offer it took the order from.
 */
export const RECENT_OFFERS_SQL = `
  SELECT f.offer_id, f.rider_id, f.order_ids, f.status, f.declined_by, f.created_at, f.expires_at,
         f.responded_at, r.reason AS release_reason, r.released_at,
         ${WITHDRAWN_BY_CANCELLATION} AS withdrawn
    FROM offers f
    JOIN dispatch_orders o ON o.order_id = $1
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
         ${WITHDRAWN_BY_CANCELLATION} AS withdrawn,
         count(*)::int AS count
    FROM offers f
    JOIN dispatch_orders o ON o.order_id = $1
   WHERE f.order_ids @> ARRAY[$1::text]
   GROUP BY 1, 2, 3, 4`;

/** Ops' read of one order (docs/dispatch-service.md#where-an-order-stands-getdispatchstatus). */
export function createPgStatusStore(pool: Pool): StatusStore {
  return {
    dispatchRecord(orderId, offersLimit) {
      // One snapshot, so the counts, the list and the row agree while rounds and riders move on;
      // read only, as ops' view must be.
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
              withdrawn: t.withdrawn,
              count: t.count,
            })),
          };
        },
        { isolation: 'repeatable read', readOnly: true },
      );
    },
  };
}
