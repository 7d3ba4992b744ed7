import type { Pool } from '@mealpeak/db';
import type { DispatchStore } from '../app/ports.ts';
import type { RunOrder, RunOrderState } from '../domain/delivery/run.ts';
import { ORDER_COLUMNS, rowToOrder, type OrderRow } from './pg-rows.ts';

type RunStore = Pick<DispatchStore, 'ordersByIds' | 'riderRun'>;

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
  ready: boolean;
  expected_ready_at: Date;
  assigned_at: Date;
  picked_up_at: Date | null;
  cancelled_at: Date | null;
}

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
      // the offer for its other orders (cancelled before responded_at). A cancellation is the
      // row's last update, so updated_at is its time.
      const { rows } = await pool.query<RunRow>(
        `SELECT o.order_id, o.state, o.offer_id, o.sequence, o.pickup_lat, o.pickup_lng, o.dropoff_lat,
                o.dropoff_lng, o.dropoff_address, o.merchant_id, o.ready, o.expected_ready_at,
                f.responded_at AS assigned_at, o.picked_up_at,
                CASE WHEN o.state = 'cancelled' THEN o.updated_at END AS cancelled_at
           FROM dispatch_orders o
           JOIN offers f ON f.offer_id = o.offer_id AND f.rider_id = o.rider_id AND f.status = 'accepted'
          WHERE o.rider_id = $1
            AND (o.state IN ('assigned', 'picked_up')
                 OR (o.state = 'cancelled' AND o.updated_at >= $2 AND o.updated_at >= f.responded_at))
          ORDER BY f.responded_at, o.sequence`,
        [riderId, cancelledSince],
      );
      return rows.map((r): RunOrder => ({
        orderId: r.order_id,
        state: r.state,
        offerId: r.offer_id,
        sequence: r.sequence,
        pickup: { lat: r.pickup_lat, lng: r.pickup_lng },
        dropoff: { lat: r.dropoff_lat, lng: r.dropoff_lng },
        dropoffAddress: r.dropoff_address,
        merchantId: r.merchant_id,
        ready: r.ready,
        expectedReadyAt: r.expected_ready_at,
        assignedAt: r.assigned_at,
        pickedUpAt: r.picked_up_at ?? undefined,
        cancelledAt: r.cancelled_at ?? undefined,
      }));
    },
  };
}
