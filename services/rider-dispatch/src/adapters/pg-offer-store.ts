import { err, ok } from '@mealpeak/core';
import { withTransaction, type Pool, type PoolClient } from '@mealpeak/db';
import type { DispatchStore, RespondInput } from '../app/ports.ts';
import type { DispatchFact, Offer } from '../domain/delivery/model.ts';
import { decideOfferResponse } from '../domain/delivery/rules.ts';
import { DispatchErrors } from '../domain/errors.ts';
import { OFFER_COLUMNS, rowToOffer, type OfferRow } from './pg-rows.ts';
import { lockOfferOrders, lockRiders, TX, type TxHelpers } from './pg-tx.ts';

type OfferStore = Pick<
  DispatchStore,
  'pendingOffer' | 'getOffer' | 'respondToOffer' | 'expireOffers' | 'purgeDeclines'
>;

export function createPgOfferStore(pool: Pool, h: TxHelpers): OfferStore {
  async function accept(tx: PoolClient, offer: Offer, input: RespondInput): Promise<void> {
    const { rows } = await tx.query<{ order_id: string; sequence: number }>(
      `UPDATE dispatch_orders SET state = 'assigned', updated_at = $2
        WHERE offer_id = $1 AND state = 'offered' RETURNING order_id, sequence`,
      [offer.offerId, input.now],
    );
    await tx.query(`UPDATE offers SET status = 'accepted', responded_at = $2 WHERE offer_id = $1`, [
      offer.offerId,
      input.now,
    ]);
    await tx.query(
      // Answering is a sign of life: any silence recorded before starts over.
      `UPDATE riders SET status = 'delivering', busy_until = $2, free_lat = $3, free_lng = $4, updated_at = $5,
                         silent_since = NULL
        WHERE rider_id = $1`,
      [
        offer.riderId,
        input.plan?.busyUntil ?? null,
        input.plan?.freePosition.lat ?? null,
        input.plan?.freePosition.lng ?? null,
        input.now,
      ],
    );
    // Sequences renumbered over the orders still in the bundle (a cancelled one leaves a gap).
    const facts: DispatchFact[] = rows
      .sort((a, b) => a.sequence - b.sequence)
      .map((r, i) => ({
        kind: 'rider_assigned',
        orderId: r.order_id,
        riderId: offer.riderId,
        offerId: offer.offerId,
        sequence: i,
        etaPickup: input.plan?.etaPickup ?? offer.plannedPickupAt,
        assignedAt: input.now, // the offer's responded_at, written above
      }));
    await h.publish(tx, facts, input.now);
  }

  /** Declined or expired: orders back to waiting (and not to this rider for a while), rider freed. */
  async function giveBack(
    tx: PoolClient,
    offer: Pick<Offer, 'offerId' | 'riderId'>,
    status: 'declined' | 'expired',
    now: Date,
    declineUntil: Date,
  ): Promise<void> {
    // Who declined it: the rider's answer (the offline path sets 'going_offline' itself).
    await tx.query(`UPDATE offers SET status = $2, responded_at = $3, declined_by = $4 WHERE offer_id = $1`, [
      offer.offerId,
      status,
      now,
      status === 'declined' ? 'rider' : null,
    ]);
    await h.returnOfferOrders(tx, offer.offerId, offer.riderId, now, declineUntil);
    await h.settleRider(tx, offer.riderId, now);
  }

  return {
    async pendingOffer(riderId, now) {
      const { rows } = await pool.query<OfferRow>(
        `SELECT ${OFFER_COLUMNS} FROM offers WHERE rider_id = $1 AND status = 'pending' AND expires_at > $2`,
        [riderId, now],
      );
      return rows[0] ? rowToOffer(rows[0]) : undefined;
    },

    async getOffer(offerId) {
      const { rows } = await pool.query<OfferRow>(`SELECT ${OFFER_COLUMNS} FROM offers WHERE offer_id = $1`, [
        offerId,
      ]);
      return rows[0] ? rowToOffer(rows[0]) : undefined;
    },

    respondToOffer(input) {
      return withTransaction(
        pool,
        async (tx) => {
          const { rows } = await tx.query<OfferRow>(
            `SELECT ${OFFER_COLUMNS} FROM offers WHERE offer_id = $1 FOR UPDATE`,
            [input.offerId],
          );
          if (!rows[0]) return err(DispatchErrors.offerNotFound(input.offerId));
          const offer = rowToOffer(rows[0]);
          const decision = decideOfferResponse(offer, input.riderId, input.accept, input.now);
          if (decision.action !== 'none') await lockOfferOrders(tx, [offer.offerId]);
          switch (decision.action) {
            case 'accept':
              await accept(tx, offer, input);
              break;
            case 'decline':
            case 'expire': {
              const status = decision.action === 'decline' ? 'declined' : 'expired';
              await giveBack(tx, offer, status, input.now, input.declineUntil);
              break;
            }
            case 'none':
              break;
          }
          if (!decision.result.ok) return decision.result;
          const status = decision.result.value ? 'accepted' : 'declined';
          const declinedBy = status === 'declined' ? ('rider' as const) : undefined;
          return ok({
            offer: decision.action === 'none' ? offer : { ...offer, status, declinedBy },
            accepted: decision.result.value,
          });
        },
        TX,
      );
    },

    expireOffers(now, declineUntil, limit) {
      return withTransaction(
        pool,
        async (tx) => {
          // SKIP LOCKED: every replica sweeps, none waits for or repeats another's rows.
          const { rows } = await tx.query<{ offer_id: string; rider_id: string }>(
            `SELECT offer_id, rider_id FROM offers WHERE status = 'pending' AND expires_at <= $1
              ORDER BY expires_at LIMIT $2 FOR UPDATE SKIP LOCKED`,
            [now, limit],
          );
          if (rows.length === 0) return 0;
          // All their orders before any of their riders, each kind in key order
          // (docs/dispatch-service.md#lock-order): giving back one offer after the other would
          // lock the first rider before the next offer's orders. The riders in the database's
          // order, as the release sweeper and recordSilence lock several.
          const offerIds = rows.map((r) => r.offer_id);
          await lockOfferOrders(tx, offerIds);
          await lockRiders(
            tx,
            rows.map((r) => r.rider_id),
          ); // one pending offer per rider
          for (const r of rows)
            await giveBack(tx, { offerId: r.offer_id, riderId: r.rider_id }, 'expired', now, declineUntil);
          return rows.length;
        },
        TX,
      );
    },

    async purgeDeclines(now, limit) {
      const { rowCount } = await pool.query(
        // SKIP LOCKED, like purgeRows: rows a cancellation is deleting (its order locked) are left
        // to it, rather than waited for in an order of our own (docs/dispatch-service.md#lock-order).
        `DELETE FROM declined WHERE ctid IN
           (SELECT ctid FROM declined WHERE until <= $1 LIMIT $2 FOR UPDATE SKIP LOCKED)`,
        [now, limit],
      );
      return rowCount ?? 0;
    },
  };
}
