import { withTransaction, type Pool } from '@mealpeak/db';
import type { DispatchStore, Release } from '../app/ports.ts';
import { decideRelease } from '../domain/delivery/release.ts';
import { RIDER_COLUMNS, rowToRider, type RiderRow } from './pg-rows.ts';
import { TX, type TxHelpers } from './pg-tx.ts';

type ReleaseStore = Pick<
  DispatchStore,
  'ridersHoldingOrders' | 'recordSilence' | 'releaseOrders' | 'queueStats'
>;

/** The release sweeper's side of the dispatch schema (docs/dispatch-service.md#taking-orders-back). */
export function createPgReleaseStore(pool: Pool, h: TxHelpers): ReleaseStore {
  return {
    async ridersHoldingOrders(after, limit) {
      const { rows } = await pool.query<{ rider_id: string; silent_since: Date | null }>(
        `SELECT r.rider_id, r.silent_since FROM riders r
          WHERE r.rider_id > $1
            AND EXISTS (SELECT 1 FROM dispatch_orders o
                         WHERE o.rider_id = r.rider_id AND o.state IN ('assigned', 'picked_up'))
          ORDER BY r.rider_id LIMIT $2`,
        [after, limit],
      );
      return rows.map((r) => ({ riderId: r.rider_id, silentSince: r.silent_since ?? undefined }));
    },

    async recordSilence(heard, silent, since) {
      // Idempotent across replicas: a silence keeps the start the first observer gave it. The
      // riders are locked in rider_id order first (docs/dispatch-service.md#lock-order): the
      // UPDATE alone locks them as its plan reads them, which two replicas' plans (an index, the
      // table) can do in opposite orders.
      if (heard.length > 0)
        await pool.query(
          `UPDATE riders SET silent_since = NULL
            WHERE rider_id IN (SELECT rider_id FROM riders WHERE rider_id = ANY($1) AND silent_since IS NOT NULL
                                ORDER BY rider_id FOR UPDATE)`,
          [heard],
        );
      if (silent.length > 0)
        await pool.query(
          `UPDATE riders SET silent_since = $2
            WHERE rider_id IN (SELECT rider_id FROM riders WHERE rider_id = ANY($1) AND silent_since IS NULL
                                ORDER BY rider_id FOR UPDATE)`,
          [silent, since],
        );
    },

    releaseOrders({ now, policy, silenceKnown, declineUntil, limit }) {
      const shiftEndedBy = new Date(now.getTime() - policy.shiftEndGraceMs);
      const silentBy = silenceKnown ? new Date(now.getTime() - policy.silentGraceMs) : null;
      return withTransaction(
        pool,
        async (tx) => {
          // Candidate orders (a superset of what decideRelease releases), claimed SKIP LOCKED:
          // every replica sweeps, none waits for or repeats another's rows, and an order being
          // picked up or cancelled right now is looked at again next sweep. Orders are locked
          // before their rider, as every other writer of both does (cancel, delivery): no deadlock.
          const { rows } = await tx.query<{ order_id: string; rider_id: string }>(
            `SELECT o.order_id, o.rider_id FROM dispatch_orders o JOIN riders r ON r.rider_id = o.rider_id
              WHERE o.state = 'assigned'
                AND (r.offline_requested OR r.shift_ends_at <= $1 OR r.silent_since <= $2)
              ORDER BY o.rider_id, o.order_id LIMIT $3 FOR UPDATE OF o SKIP LOCKED`,
            [shiftEndedBy, silentBy, limit],
          );
          const byRider = Map.groupBy(rows, (r) => r.rider_id);
          const releases: Release[] = [];
          for (const [riderId, claimed] of byRider) {
            const locked = await tx.query<RiderRow>(
              `SELECT ${RIDER_COLUMNS} FROM riders WHERE rider_id = $1 FOR UPDATE`,
              [riderId],
            );
            if (!locked.rows[0]) continue;
            const orders = claimed.map((o) => ({ orderId: o.order_id, state: 'assigned' as const }));
            const decision = decideRelease(rowToRider(locked.rows[0]), orders, now, policy, silenceKnown);
            if (!decision) continue;
            await tx.query(
              `WITH released AS (
                 UPDATE dispatch_orders d
                    SET state = 'waiting', rider_id = NULL, offer_id = NULL, sequence = NULL, updated_at = $3
                   FROM dispatch_orders old
                  WHERE d.order_id = old.order_id AND d.order_id = ANY($2) AND d.state = 'assigned'
                 RETURNING d.order_id, old.offer_id)
               INSERT INTO order_releases (order_id, rider_id, offer_id, reason, released_at)
               SELECT order_id, $1, offer_id, $4, $3 FROM released`,
              [riderId, decision.release, now, decision.reason],
            );
            // Not straight back to the rider who could not take them, should they come back.
            await tx.query(
              `INSERT INTO declined (order_id, rider_id, until) SELECT unnest($1::text[]), $2, $3
               ON CONFLICT (order_id, rider_id) DO UPDATE SET until = EXCLUDED.until`,
              [decision.release, riderId, declineUntil],
            );
            await h.settleRider(tx, riderId, now);
            releases.push({ riderId, reason: decision.reason, orderIds: decision.release });
          }
          return releases;
        },
        TX,
      );
    },

    async queueStats(silentSince) {
      // Orders taken back from a rider are waiting again, so they count here with their whole
      // age since placement: the customer has waited that long.
      const { rows } = await pool.query<{ n: number; age: number | null; silent: number }>(
        // count and min in one aggregate over the waiting orders: on its own, min(placed_at) is
        // planned as a walk of the placed_at index from the oldest row, through every finished
        // order kept for retention (0.8 ms vs 0.5 s with 2M rows, and all of it with none waiting).
        `SELECT w.n, w.age,
                (SELECT count(*)::int FROM dispatch_orders o JOIN riders r ON r.rider_id = o.rider_id
                  WHERE o.state = 'picked_up' AND r.silent_since <= $1) AS silent
           FROM (SELECT count(*)::int AS n, extract(epoch FROM now() - min(placed_at))::float8 AS age
                   FROM dispatch_orders WHERE state = 'waiting') AS w`,
        [silentSince],
      );
      const r = rows[0];
      return { waiting: r?.n ?? 0, oldestAgeSeconds: r?.age ?? 0, pickedUpSilent: r?.silent ?? 0 };
    },
  };
}
