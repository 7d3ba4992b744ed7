import { withTransaction, type Pool } from '@mealpeak/db';
import type { DispatchStore } from '../app/ports.ts';
import { Abort, TX } from './pg-tx.ts';
import {
  ORDER_COLUMNS,
  RIDER_COLUMNS,
  rowToOrder,
  rowToRider,
  type OrderRow,
  type RiderRow,
} from './pg-rows.ts';

type RoundStore = Pick<DispatchStore, 'activeZones' | 'zoneBacklog' | 'dispatchableRiders' | 'claimOffer'>;

const UNIQUE_VIOLATION = '23505';

export function createPgRoundStore(pool: Pool): RoundStore {
  return {
    async activeZones(limit) {
      const { rows } = await pool.query<{ zone: string }>(
        `SELECT zone FROM dispatch_orders WHERE state = 'waiting' GROUP BY zone ORDER BY min(placed_at) LIMIT $1`,
        [limit],
      );
      return rows.map((r) => r.zone);
    },

    async zoneBacklog(zone, now, limit) {
      const { rows } = await pool.query<OrderRow>(
        `SELECT ${ORDER_COLUMNS} FROM dispatch_orders WHERE zone = $1 AND state = 'waiting'
          ORDER BY placed_at, order_id LIMIT $2`,
        [zone, limit],
      );
      if (rows.length === 0) return { orders: [], declines: [] };
      const declines = await pool.query<{ order_id: string; rider_id: string }>(
        'SELECT order_id, rider_id FROM declined WHERE order_id = ANY($1) AND until > $2',
        [rows.map((r) => r.order_id), now],
      );
      return {
        orders: rows.map(rowToOrder),
        declines: declines.rows.map((d) => ({ orderId: d.order_id, riderId: d.rider_id })),
      };
    },

    async dispatchableRiders(riderIds, now) {
      if (riderIds.length === 0) return [];
      const { rows } = await pool.query<RiderRow>(
        `SELECT ${RIDER_COLUMNS} FROM riders
          WHERE rider_id = ANY($1) AND online AND NOT offline_requested
            AND status IN ('idle', 'delivering') AND shift_ends_at > $2`,
        [riderIds, now],
      );
      return rows.map(rowToRider);
    },

    /**
     * THE guarantee against double assignment (with or without leases): in one transaction every
     * order must still be waiting (and not declined by this rider) and the rider still idle and
     * online, each checked by the row count of a conditional UPDATE; any mismatch rolls it all back.
     * Orders are locked before the rider and in order_id order, like every other writer
     * (docs/dispatch-service.md#lock-order): the UPDATE alone locks them in whatever order its plan
     * reads them, which two claims of one order set can do in opposite orders.
     */
    async claimOffer(claim) {
      try {
        await withTransaction(
          pool,
          async (tx) => {
            // Orders locked in key order, and only while the rider is still free: a rider taken
            // since the round planned (by another replica's round) is a cheap early no, in the
            // same round trip, without writing (and rolling back) every order or waiting for their
            // locks (the uncorrelated EXISTS is a one-time filter, checked before any row is
            // read). The locking UPDATE of the rider below checks again.
            const locked = await tx.query(
              `SELECT 1 FROM dispatch_orders WHERE order_id = ANY($1::text[])
                  AND EXISTS (SELECT 1 FROM riders WHERE rider_id = $2 AND status = 'idle' AND online
                                                     AND NOT offline_requested)
                ORDER BY order_id FOR UPDATE`,
              [claim.orderIds, claim.riderId],
            );
            if (locked.rowCount === 0) throw new Abort();
            const orders = await tx.query(
              `UPDATE dispatch_orders d
                  SET state = 'offered', rider_id = $1, offer_id = $2, updated_at = $4,
                      sequence = array_position($3::text[], d.order_id) - 1
                WHERE d.order_id = ANY($3::text[]) AND d.state = 'waiting'
                  AND NOT EXISTS (SELECT 1 FROM declined x
                                   WHERE x.order_id = d.order_id AND x.rider_id = $1 AND x.until > $4)`,
              [claim.riderId, claim.offerId, claim.orderIds, claim.createdAt],
            );
            if (orders.rowCount !== claim.orderIds.length) throw new Abort();
            const rider = await tx.query(
              `UPDATE riders SET status = 'offered', updated_at = $2
                WHERE rider_id = $1 AND status = 'idle' AND online AND NOT offline_requested`,
              [claim.riderId, claim.createdAt],
            );
            if (rider.rowCount !== 1) throw new Abort();
            await tx.query(
              `INSERT INTO offers (offer_id, rider_id, order_ids, zone, status, pickup_lat, pickup_lng,
                                   planned_pickup_at, created_at, expires_at, replica_id)
               VALUES ($1, $2, $3, $4, 'pending', $5, $6, $7, $8, $9, $10)`,
              [
                claim.offerId,
                claim.riderId,
                claim.orderIds,
                claim.zone,
                claim.pickup.lat,
                claim.pickup.lng,
                claim.plannedPickupAt,
                claim.createdAt,
                claim.expiresAt,
                claim.replicaId,
              ],
            );
          },
          TX,
        );
        return true;
      } catch (error) {
        if (error instanceof Abort || (error as { code?: string }).code === UNIQUE_VIOLATION) return false;
        throw error;
      }
    },
  };
}
