import type { Pool, PoolClient } from '@mealpeak/db';
import { claimEvent } from '@mealpeak/outbox';
import type { DispatchStore, OrderFacts } from '../app/ports.ts';
import type { DispatchOrderState } from '../domain/delivery/model.ts';
import { decideOrderEvent, isReadyState } from '../domain/delivery/rules.ts';
import { ORDER_COLUMNS, rowToOrder, type OrderRow } from './pg-rows.ts';
import { inLockOrder, LockRace, type TxHelpers } from './pg-tx.ts';

type OrderStore = Pick<DispatchStore, 'applyOrderEvent' | 'getOrder' | 'ordersOfOffer'>;

export function createPgOrderStore(pool: Pool, h: TxHelpers): OrderStore {
  /**
   * Withdraws a cancelled order from whatever dispatch had it in: its offer, its rider's run. The
   * row keeps its offer and rider; cancelled_from (migration 0012) says whether that rider had
   * accepted it or it was only offered, when the offer goes on for the rest of a bundle.
   */
  async function cancel(
    tx: PoolClient,
    f: OrderFacts,
    before: { state: DispatchOrderState; rider_id: string | null; offer_id: string | null },
    now: Date,
  ): Promise<void> {
    await tx.query(
      `UPDATE dispatch_orders SET state = 'cancelled', order_version = $2, updated_at = $3, cancelled_from = $4
        WHERE order_id = $1`,
      [f.orderId, f.version, now, before.state],
    );
    await tx.query('DELETE FROM declined WHERE order_id = $1', [f.orderId]);
    if (before.state === 'offered' && before.offer_id) {
      // The last order of a pending offer gone: the offer is withdrawn and the rider free again.
      await tx.query(
        `UPDATE offers SET status = 'withdrawn', responded_at = $2
          WHERE offer_id = $1 AND status = 'pending'
            AND NOT EXISTS (SELECT 1 FROM dispatch_orders WHERE offer_id = $1 AND state = 'offered')`,
        [before.offer_id, now],
      );
    }
    if (before.rider_id) await h.settleRider(tx, before.rider_id, now);
  }

  /** Locks the pending offer the order is in, if any; its id. */
  async function lockPendingOfferOf(tx: PoolClient, orderId: string): Promise<string | undefined> {
    const { rows } = await tx.query<{ offer_id: string }>(
      `SELECT f.offer_id FROM offers f JOIN dispatch_orders o ON o.offer_id = f.offer_id
        WHERE o.order_id = $1 AND f.status = 'pending' FOR UPDATE OF f`,
      [orderId],
    );
    return rows[0]?.offer_id;
  }

  async function isPendingOffer(tx: PoolClient, offerId: string | null): Promise<boolean> {
    if (!offerId) return false;
    const { rowCount } = await tx.query(`SELECT 1 FROM offers WHERE offer_id = $1 AND status = 'pending'`, [
      offerId,
    ]);
    return rowCount === 1;
  }

  async function insert(tx: PoolClient, f: OrderFacts, state: DispatchOrderState, now: Date): Promise<void> {
    await tx.query(
      `INSERT INTO dispatch_orders (order_id, zone, merchant_id, customer_id, pickup_lat, pickup_lng,
         dropoff_lat, dropoff_lng, dropoff_address, placed_at, expected_ready_at, promised_at, ready,
         state, order_version, updated_at, merchant_name, pickup_address)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16,
               nullif($17, ''), nullif($18, ''))`,
      [
        f.orderId,
        f.zone,
        f.merchantId,
        f.customerId,
        f.pickup.lat,
        f.pickup.lng,
        f.dropoff.lat,
        f.dropoff.lng,
        f.dropoffAddress,
        f.placedAt,
        f.expectedReadyAt,
        f.promisedAt,
        isReadyState(f.toState),
        state,
        f.version,
        now,
        f.merchantName,
        f.pickupAddress,
      ],
    );
  }

  return {
    applyOrderEvent(claim, f) {
      return inLockOrder(pool, async (tx) => {
        if (!(await claimEvent(tx, claim.consumer, claim.eventId))) return 'duplicate' as const;
        // A cancellation may withdraw the order's pending offer: that offer is locked before the
        // order, as answers and expiry lock it (docs/dispatch-service.md#lock-order).
        const cancelling = f.toState === 'CANCELLED' || f.toState === 'REJECTED';
        const offer = cancelling ? await lockPendingOfferOf(tx, f.orderId) : undefined;
        const { rows } = await tx.query<Pick<OrderRow, 'state' | 'order_version' | 'rider_id' | 'offer_id'>>(
          'SELECT state, order_version, rider_id, offer_id FROM dispatch_orders WHERE order_id = $1 FOR UPDATE',
          [f.orderId],
        );
        const before = rows[0];
        if (
          cancelling &&
          before?.state === 'offered' &&
          before.offer_id !== offer &&
          (await isPendingOffer(tx, before.offer_id))
        )
          throw new LockRace('the offer of an order'); // re-offered since: lock the new offer first
        const action = decideOrderEvent(
          before && { state: before.state, version: before.order_version },
          f.toState,
          f.version,
        );
        const now = new Date();
        switch (action) {
          case 'insert':
            await insert(tx, f, 'waiting', now);
            break;
          case 'tombstone':
            // A finished row like any cancelled order: no rider, no offer, so rounds, offers,
            // gauges and tracking treat it as cancelled, and retention purges it by placed_at.
            await insert(tx, f, 'cancelled', now);
            break;
          case 'refresh':
            await tx.query(
              // The addresses too: orders stored before dispatch kept them get them with their next
              // event. An empty name or address (a snapshot from an older order service) keeps ours.
              `UPDATE dispatch_orders SET expected_ready_at = $2, promised_at = $3, ready = ready OR $4,
                        order_version = $5, updated_at = $6, dropoff_address = $7,
                        merchant_name = coalesce(nullif($8, ''), merchant_name),
                        pickup_address = coalesce(nullif($9, ''), pickup_address)
                  WHERE order_id = $1`,
              [
                f.orderId,
                f.expectedReadyAt,
                f.promisedAt,
                isReadyState(f.toState),
                f.version,
                now,
                f.dropoffAddress,
                f.merchantName,
                f.pickupAddress,
              ],
            );
            break;
          case 'cancel':
            await cancel(tx, f, before!, now);
            break;
          case 'ignore':
            break;
        }
        return action;
      });
    },

    async getOrder(orderId) {
      const { rows } = await pool.query<OrderRow>(
        `SELECT ${ORDER_COLUMNS} FROM dispatch_orders WHERE order_id = $1`,
        [orderId],
      );
      return rows[0] ? rowToOrder(rows[0]) : undefined;
    },

    async ordersOfOffer(offerId) {
      const { rows } = await pool.query<OrderRow>(
        `SELECT ${ORDER_COLUMNS} FROM dispatch_orders WHERE offer_id = $1 ORDER BY sequence`,
        [offerId],
      );
      return rows.map(rowToOrder);
    },
  };
}
