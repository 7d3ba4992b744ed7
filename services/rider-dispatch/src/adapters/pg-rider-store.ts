import { err, ok, type CodedError, type Result } from '@mealpeak/core';
import { withTransaction, type Pool, type PoolClient } from '@mealpeak/db';
import type { DispatchStore } from '../app/ports.ts';
import type { DispatchOrder } from '../domain/delivery/model.ts';
import { decideCancelHold, decideDelivery, decideOffline, decidePickup } from '../domain/delivery/rules.ts';
import { DispatchErrors } from '../domain/errors.ts';
import {
  ORDER_COLUMNS,
  RIDER_COLUMNS,
  rowToOrder,
  rowToRider,
  type OrderRow,
  type RiderRow,
} from './pg-rows.ts';
import { inLockOrder, lockOfferOrders, LockRace, TX, type TxHelpers } from './pg-tx.ts';

type RiderStore = Pick<
  DispatchStore,
  | 'markPickedUp'
  | 'markDelivered'
  | 'holdForCancellation'
  | 'releaseCancellationHold'
  | 'setOnline'
  | 'setOffline'
  | 'getRider'
>;

export function createPgRiderStore(pool: Pool, h: TxHelpers): RiderStore {
  /** Runs `step` on the locked order; a missing order is ORDER_NOT_FOUND. */
  function withOrder(
    orderId: string,
    step: (tx: PoolClient, order: DispatchOrder) => Promise<Result<void, CodedError>>,
  ): Promise<Result<void, CodedError>> {
    return withTransaction(
      pool,
      async (tx) => {
        const { rows } = await tx.query<OrderRow>(
          `SELECT ${ORDER_COLUMNS} FROM dispatch_orders WHERE order_id = $1 FOR UPDATE`,
          [orderId],
        );
        return rows[0] ? step(tx, rowToOrder(rows[0])) : err(DispatchErrors.orderNotFound(orderId));
      },
      TX,
    );
  }

  return {
    markPickedUp(orderId, riderId, now, judge) {
      return withOrder(orderId, async (tx, order) => {
        const decision = decidePickup(order, riderId, now);
        if (!decision.ok) return decision;
        if (decision.value === 'pick_up') {
          const handover = judge(order.pickup);
          if (!handover.ok) return handover;
          await tx.query(
            `UPDATE dispatch_orders SET state = 'picked_up', picked_up_at = $2, updated_at = $2 WHERE order_id = $1`,
            [orderId, now],
          );
          await h.publish(tx, [{ kind: 'picked_up', orderId, riderId, handover: handover.value }], now);
        }
        return ok(undefined);
      });
    },

    markDelivered(orderId, riderId, now, judge) {
      return withOrder(orderId, async (tx, order) => {
        const decision = decideDelivery(order, riderId);
        if (!decision.ok) return decision;
        if (decision.value === 'deliver') {
          const handover = judge(order.dropoff);
          if (!handover.ok) return handover;
          await tx.query(
            `UPDATE dispatch_orders SET state = 'delivered', delivered_at = $2, updated_at = $2 WHERE order_id = $1`,
            [orderId, now],
          );
          await h.publish(tx, [{ kind: 'delivered', orderId, riderId, handover: handover.value }], now);
          await h.settleRider(tx, riderId, now);
        }
        return ok(undefined);
      });
    },

    holdForCancellation(orderId, until) {
      return withOrder(orderId, async (tx, order) => {
        const decision = decideCancelHold(order);
        if (!decision.ok) return decision;
        // Not a state change: updated_at (and HOT updates) stay as they are.
        if (decision.value === 'hold')
          await tx.query('UPDATE dispatch_orders SET cancel_hold_until = $2 WHERE order_id = $1', [
            orderId,
            until,
          ]);
        return ok(undefined);
      });
    },

    async releaseCancellationHold(orderId) {
      // Rare (a refused cancellation): one statement, whether or not a hold is set.
      const { rowCount } = await pool.query(
        'UPDATE dispatch_orders SET cancel_hold_until = NULL WHERE order_id = $1',
        [orderId],
      );
      return rowCount === 0 ? err(DispatchErrors.orderNotFound(orderId)) : ok(undefined);
    },

    async setOnline(riderId, shiftEndsAt, now, stayOnline) {
      // offline_requested is only ever true while online: keeping it keeps a pending "offline after
      // deliveries" (docs/dispatch-service.md#going-online-and-offline).
      const { rows } = await pool.query<Pick<RiderRow, 'status'>>(
        `INSERT INTO riders (rider_id, online, status, offline_requested, shift_ends_at, updated_at)
         VALUES ($1, true, 'idle', false, $2, $3)
         ON CONFLICT (rider_id) DO UPDATE
           SET online = true, offline_requested = riders.offline_requested AND NOT $4,
               shift_ends_at = EXCLUDED.shift_ends_at, silent_since = NULL, updated_at = EXCLUDED.updated_at
         RETURNING status`,
        [riderId, shiftEndsAt, now, stayOnline],
      );
      return rows[0]!.status;
    },

    async getRider(riderId) {
      const { rows } = await pool.query<RiderRow>(`SELECT ${RIDER_COLUMNS} FROM riders WHERE rider_id = $1`, [
        riderId,
      ]);
      return rows[0] && rowToRider(rows[0]);
    },

    setOffline(riderId, now, declineUntil) {
      return inLockOrder(pool, async (tx) => {
        // A pending offer is declined below: it and its orders are locked before the rider, as an
        // answer to it locks them (docs/dispatch-service.md#lock-order).
        const offer = await tx.query<{ offer_id: string }>(
          `SELECT offer_id FROM offers WHERE rider_id = $1 AND status = 'pending' FOR UPDATE`,
          [riderId],
        );
        const offerId = offer.rows[0]?.offer_id;
        if (offerId) await lockOfferOrders(tx, [offerId]);
        const { rows } = await tx.query<RiderRow>(
          `SELECT ${RIDER_COLUMNS} FROM riders WHERE rider_id = $1 FOR UPDATE`,
          [riderId],
        );
        if (!rows[0]) return err(DispatchErrors.riderNotFound(riderId));
        const rider = rowToRider(rows[0]);
        if (!rider.online) return ok({ online: false, status: rider.status });
        switch (decideOffline(rider.status)) {
          case 'after_deliveries':
            await tx.query(
              'UPDATE riders SET offline_requested = true, updated_at = $2 WHERE rider_id = $1',
              [riderId, now],
            );
            return ok({ online: true, status: rider.status });
          case 'decline_offer': {
            if (offerId) {
              await tx.query(
                `UPDATE offers SET status = 'declined', responded_at = $2, declined_by = 'going_offline'
                  WHERE offer_id = $1`,
                [offerId, now],
              );
              await h.returnOfferOrders(tx, offerId, riderId, now, declineUntil);
            } else {
              const since = await tx.query(
                `SELECT 1 FROM offers WHERE rider_id = $1 AND status = 'pending'`,
                [riderId],
              );
              // Offered between the look for an offer and the rider's lock: start again.
              if (since.rowCount !== 0) throw new LockRace('the offer of a rider');
            }
            break;
          }
          case 'offline':
            break;
        }
        await tx.query(
          `UPDATE riders SET online = false, status = 'idle', offline_requested = false, updated_at = $2
              WHERE rider_id = $1`,
          [riderId, now],
        );
        return ok({ online: false, status: 'idle' as const });
      });
    },
  };
}
