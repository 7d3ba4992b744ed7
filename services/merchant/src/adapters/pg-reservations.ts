import type { ReservationRepo } from '../app/ports.ts';
import { RESERVATION_COLUMNS, toReservation, type ReservationRow, type Sql } from './pg-rows.ts';

export function pgReservationRepo(db: Sql): ReservationRepo {
  return {
    async getReservation(orderId) {
      const { rows } = await db.query<ReservationRow>(
        `SELECT ${RESERVATION_COLUMNS} FROM reservations WHERE order_id = $1`,
        [orderId],
      );
      return rows[0] && toReservation(rows[0]);
    },

    async insertReservation(r) {
      // A concurrent insert of the same order id makes this wait until that transaction ends, then
      // do nothing (it committed) or insert (it rolled back): duplicates serialize on the key.
      const result = await db.query(
        `INSERT INTO reservations (order_id, merchant_id, state, lines, total_minor, currency, lat, lng,
                                   prep_estimate_seconds, reserved_until, next_check_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)
         ON CONFLICT (order_id) DO NOTHING`,
        [
          r.orderId,
          r.merchantId,
          r.state,
          JSON.stringify(r.lines),
          r.totalMinor,
          r.currency,
          r.location.lat,
          r.location.lng,
          r.prepEstimateSeconds,
          r.reservedUntil,
        ],
      );
      return result.rowCount === 1;
    },

    async transitionReservation(orderId, from, to, reason) {
      const { rows } = await db.query<ReservationRow>(
        `UPDATE reservations
         SET state = $3, release_reason = CASE WHEN $3 = 'released' THEN $4 ELSE release_reason END,
             updated_at = now()
         WHERE order_id = $1 AND state = ANY($2::text[])
         RETURNING ${RESERVATION_COLUMNS}`,
        [orderId, from, to, reason],
      );
      return rows[0] && toReservation(rows[0]);
    },

    async claimDue(now, leaseUntil, limit) {
      const { rows } = await db.query<ReservationRow>(
        `UPDATE reservations r SET next_check_at = $2
         FROM (SELECT order_id FROM reservations
               WHERE state = 'tentative' AND next_check_at <= $1
               ORDER BY next_check_at LIMIT $3
               FOR UPDATE SKIP LOCKED) due
         WHERE r.order_id = due.order_id
         RETURNING r.*`,
        [now, leaseUntil, limit],
      );
      return rows.map(toReservation);
    },
  };
}
