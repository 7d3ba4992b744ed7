import type { Pool } from '@mealpeak/db';
import type { DispatchStore } from '../app/ports.ts';
import type { ReleaseReason } from '../domain/delivery/release.ts';
import type { RunOrder, RunOrderState } from '../domain/delivery/run.ts';
import { ORDER_COLUMNS, rowToOrder, type OrderRow } from './pg-rows.ts';

type RunStore = Pick<DispatchStore, 'ordersByIds' | 'riderRun' | 'releasedFrom' | 'releaseOf'>;

interface RunRow {
  order_id: string;
  state: RunOrderState;
  offer_id: string;
  sequence: number;
  pickup_lat: number;
  pickup_lng: number;
  dropoff_lat: number;
  dropoff_lng: number;
  dropoff_address: string;
  merchant_id: string;
  merchant_name: string | null;
  pickup_address: string | null;
  ready: boolean;
  expected_ready_at: Date;
  assigned_at: Date;
  picked_up_at: Date | null;
  cancelled_at: Date | null;
  released_at?: Date;
  release_reason?: ReleaseReason;
}

const toRunOrder = (r: RunRow): RunOrder => ({
  orderId: r.order_id,
  state: r.state,
  offerId: r.offer_id,
  sequence: r.sequence,
  pickup: { lat: r.pickup_lat, lng: r.pickup_lng },
  dropoff: { lat: r.dropoff_lat, lng: r.dropoff_lng },
  dropoffAddress: r.dropoff_address,
  merchantId: r.merchant_id,
  merchantName: r.merchant_name ?? '',
  pickupAddress: r.pickup_address ?? '',
  ready: r.ready,
  expectedReadyAt: r.expected_ready_at,
  assignedAt: r.assigned_at,
  pickedUpAt: r.picked_up_at ?? undefined,
  cancelledAt: r.cancelled_at ?? undefined,
  ...(r.released_at && { releasedAt: r.released_at, releaseReason: r.release_reason }),
});

/** Reads for the rider app: an offer's drop-offs and the rider's current run. */
export function createPgRunStore(pool: Pool): RunStore {
  return {
    async ordersByIds(orderIds) {
      if (orderIds.length === 0) return [];
      const { rows } = await pool.query<OrderRow>(
        `SELECT ${ORDER_COLUMNS} FROM dispatch_orders WHERE order_id = ANY($1::text[])`,
        [orderIds],
      );
      return rows.map(rowToOrder);
    },

    async riderRun(riderId, cancelledSince) {
      // Both branches use a partial index on rider_id (dispatch_orders_rider_active and
      // dispatch_orders_rider_cancelled). The offer must be the rider's and accepted: an order
      // cancelled while only offered was never in their hands, also when the rider then accepted
      // the offer for its other orders. cancelled_from (migration 0012) says where the
      // cancellation found it; the accept's time is read before its transaction, so comparing it
      // with the cancellation's could put an order cancelled first in the run. Orders cancelled
      // before that column are judged by the times as before. A cancellation is the row's last
      // update, so updated_at is its time.
      const { rows } = await pool.query<RunRow>(
        `SELECT o.order_id, o.state, o.offer_id, o.sequence, o.pickup_lat, o.pickup_lng, o.dropoff_lat,
                o.dropoff_lng, o.dropoff_address, o.merchant_id, o.merchant_name, o.pickup_address, o.ready,
                o.expected_ready_at,
                f.responded_at AS assigned_at, o.picked_up_at,
                CASE WHEN o.state = 'cancelled' THEN o.updated_at END AS cancelled_at
           FROM dispatch_orders o
           JOIN offers f ON f.offer_id = o.offer_id AND f.rider_id = o.rider_id AND f.status = 'accepted'
          WHERE o.rider_id = $1
            AND (o.state IN ('assigned', 'picked_up')
                 OR (o.state = 'cancelled' AND o.updated_at >= $2
                     AND CASE WHEN o.cancelled_from IS NOT NULL THEN o.cancelled_from IN ('assigned', 'picked_up')
                              ELSE o.updated_at >= f.responded_at END))
          ORDER BY f.responded_at, o.sequence`,
        [riderId, cancelledSince],
      );
      return rows.map(toRunOrder);
    },

    async releasedFrom(riderId, since) {
      // order_releases_rider (migration 0008). The latest release of each order from this rider,
      // unless the order came back to them since (offered to them again: in their offer; or in their
      // run, or delivered by them).
      // The offer is the one they had accepted: its answer time and their place in its sequence.
      const { rows } = await pool.query<RunRow>(
        `SELECT * FROM (
           SELECT DISTINCT ON (r.order_id)
                  r.order_id, 'released' AS state, r.offer_id::text AS offer_id,
                  coalesce(array_position(f.order_ids, r.order_id) - 1, 0) AS sequence,
                  o.pickup_lat, o.pickup_lng, o.dropoff_lat, o.dropoff_lng, o.dropoff_address,
                  o.merchant_id, o.merchant_name, o.pickup_address, o.ready, o.expected_ready_at,
                  coalesce(f.responded_at, r.released_at) AS assigned_at, NULL::timestamptz AS picked_up_at,
                  NULL::timestamptz AS cancelled_at, r.released_at, r.reason AS release_reason
             FROM order_releases r
             JOIN dispatch_orders o ON o.order_id = r.order_id
             LEFT JOIN offers f ON f.offer_id = r.offer_id
            WHERE r.rider_id = $1 AND r.released_at >= $2
              AND NOT (o.rider_id IS NOT DISTINCT FROM $1
                       AND o.state IN ('offered', 'assigned', 'picked_up', 'delivered', 'cancelled'))
            ORDER BY r.order_id, r.released_at DESC) AS latest
          ORDER BY released_at, order_id`,
        [riderId, since],
      );
      return rows.map(toRunOrder);
    },

    async releaseOf(orderId, riderId) {
      // order_releases_order; the rider's releases of one order are a handful at most.
      const { rows } = await pool.query<{ reason: ReleaseReason; released_at: Date }>(
        `SELECT reason, released_at FROM order_releases WHERE order_id = $1 AND rider_id = $2
          ORDER BY released_at DESC LIMIT 1`,
        [orderId, riderId],
      );
      return rows[0] && { reason: rows[0].reason, releasedAt: rows[0].released_at };
    },
  };
}
