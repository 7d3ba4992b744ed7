import type { Reservation, ReservationRepo } from '../app/ports.ts';
import { RESERVATION_COLUMNS, toReservation, type ReservationRow, type Sql } from './pg-rows.ts';

/** $1-$10 of both reservation inserts: the row's columns up to reserved_until. */
function reservationParams(r: Reservation): unknown[] {
  return [
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
  ];
}

/** merchant_name and pickup_address: NULL when not known (a tombstone). */
const restaurantParams = (r: Reservation): unknown[] => [r.merchantName ?? null, r.pickupAddress ?? null];

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
                                   prep_estimate_seconds, reserved_until, next_check_at,
                                   merchant_name, pickup_address)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10, $11, $12)
         ON CONFLICT (order_id) DO NOTHING`,
        [...reservationParams(r), ...restaurantParams(r)],
      );
      return result.rowCount === 1;
    },

    async reserveAtomically(r, lines) {
      // The placement hot path as ONE statement (atomic on its own, one round trip): lock the
      // items in id order (no deadlock between multi-line orders), check every line still has
      // the merchant's available stock at the price the lines were priced at (from a cache up to
      // a second old: a price changed since sends the caller to its slow path, which re-prices),
      // and only then record the reservation and take the stock.
      // The duplicate of a committed reservation conflicts on the key and changes nothing.
      const { rows } = await db.query<{ inserted: boolean; enough: boolean }>({
        // Named: prepared once per connection (parsed and planned once).
        name: 'merchants.reserve-atomically',
        text: `WITH want AS (
           SELECT item_id, sum(qty)::int AS qty, min(price)::bigint AS price
           FROM unnest($12::text[], $13::int[], $14::bigint[]) AS w(item_id, qty, price) GROUP BY item_id),
         locked AS (
           SELECT m.id, m.stock, m.price_minor FROM menu_items m JOIN want w ON w.item_id = m.id
           WHERE m.merchant_id = $2 AND m.available ORDER BY m.id FOR UPDATE OF m),
         enough AS (
           SELECT count(*) = (SELECT count(*) FROM want)
                  AND coalesce(bool_and(l.stock >= w.qty AND l.price_minor = w.price), false) AS ok
           FROM locked l JOIN want w ON w.item_id = l.id),
         ins AS (
           INSERT INTO reservations (order_id, merchant_id, state, lines, total_minor, currency, lat, lng,
                                     prep_estimate_seconds, reserved_until, next_check_at,
                                     merchant_name, pickup_address)
           SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $15, $16 FROM enough WHERE enough.ok
           ON CONFLICT (order_id) DO NOTHING RETURNING order_id),
         taken AS (
           UPDATE menu_items m SET stock = m.stock - w.qty, updated_at = now() FROM want w
           WHERE m.id = w.item_id AND EXISTS (SELECT 1 FROM ins) RETURNING m.id)
         SELECT EXISTS (SELECT 1 FROM ins) AS inserted, (SELECT ok FROM enough) AS enough,
                (SELECT count(*) FROM taken) AS taken`,
        values: [
          ...reservationParams(r),
          r.reservedUntil,
          lines.map((l) => l.itemId),
          lines.map((l) => l.quantity),
          r.lines.map((l) => l.unitPriceMinor),
          ...restaurantParams(r),
        ],
      });
      const row = rows[0];
      if (row?.inserted) return 'reserved';
      return row?.enough ? 'exists' : 'refused';
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
