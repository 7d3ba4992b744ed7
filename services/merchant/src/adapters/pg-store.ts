import { withTransaction, type Pool, type PoolClient } from '@mealpeak/db';
import { EVENTS, TOPICS, type TopicSpec } from '@mealpeak/kafka';
import { claimEvent, type Outbox } from '@mealpeak/outbox';
import type { MerchantStore, MessagingRepo, PlacedOutcome, Repo } from '../app/ports.ts';
import type { ReservationState } from '../domain/reservation.ts';
import { prepEstimateOf } from '../app/views.ts';
import { toProtoMerchant, toProtoStatus } from './merchant-proto.ts';
import { pgKitchenRepo } from './pg-kitchen.ts';
import { pgMenuRepo } from './pg-menu.ts';
import { pgMerchantRepo } from './pg-merchants.ts';
import { pgReservationRepo } from './pg-reservations.ts';
import { pgRetentionRepo } from './pg-retention.ts';

export interface PgStoreSettings {
  pool: Pool;
  outbox: Outbox;
  /** Where status events go; tests pass a topic of their own. */
  merchantEventsTopic?: TopicSpec | string;
}

/**
 * `ownTransaction`: `db` is the pool, so each statement commits on its own; only then may a
 * statement choose its commit's durability without touching a caller's transaction.
 */
function messaging(db: Pool | PoolClient, settings: PgStoreSettings, ownTransaction: boolean): MessagingRepo {
  const topic = settings.merchantEventsTopic ?? TOPICS.merchantEvents;
  return {
    claimEvent: (consumer, eventId) => claimEvent(db, consumer, eventId),
    async confirmPlaced(consumer, placed) {
      // One statement for the whole list, however long: the inbox claims and the confirmations
      // commit together. A repeat of an event id within the list is a duplicate of its first.
      const firstAt = new Map<string, number>(); // event id -> index of its first occurrence
      placed.forEach((p, i) => firstAt.has(p.eventId) || firstAt.set(p.eventId, i));
      const unique = placed.filter((p, i) => firstAt.get(p.eventId) === i);
      const { rows } = await db.query<{
        claimed: boolean;
        confirmed: boolean;
        state: ReservationState | null;
      }>({
        name: ownTransaction ? 'merchants.confirm-placed-async' : 'merchants.confirm-placed',
        // `locked` takes each reservation's row lock first (in order_id order: no deadlock between
        // two batches) and reads its latest committed state: a release committed by the sweeper
        // after this statement's snapshot, or while it waited, is seen, so such an event is left
        // unclaimed for the caller to settle instead of being claimed with no stock held. The
        // other parts decide from `locked`, never from the snapshot; a confirmation is reported
        // from `confirmed` itself.
        // A newly confirmed order is filed in the kitchen as `placed` (the merchant's intake); a
        // row already there (the merchant's accept answered before this event came) stays. now()
        // is one instant for the whole batch, so each row gets it plus its place in the batch in
        // microseconds: the work ahead of an order (countAhead) follows the order of the events,
        // not of the order ids, with no new column or index (kitchen_orders_intake still serves).
        // In its own transaction it commits asynchronously (set_config(..., true) is SET LOCAL):
        // a confirmation lost to a server crash leaves the reservation tentative, and the
        // sweeper confirms it after asking the order service (ADR 0006), so nothing depends on
        // this commit's WAL flush, which at peak is one sync per order saved. Inside a caller's
        // transaction it leaves the commit alone: the other writes there may need the flush.
        text: `WITH input AS (
           SELECT * FROM unnest($2::uuid[], $3::text[]) WITH ORDINALITY AS i(event_id, order_id, n)),
         locked AS (
           SELECT r.order_id, r.state FROM reservations r
           WHERE r.order_id IN (SELECT order_id FROM input)
           ORDER BY r.order_id FOR NO KEY UPDATE),
         claim AS (
           INSERT INTO processed_events (consumer, event_id)
           SELECT $1, i.event_id FROM input i
           JOIN locked l ON l.order_id = i.order_id AND l.state <> 'released'
           ON CONFLICT DO NOTHING RETURNING event_id),
         confirmed AS (
           UPDATE reservations r SET state = 'confirmed', updated_at = now()
           FROM input i JOIN claim c ON c.event_id = i.event_id JOIN locked l ON l.order_id = i.order_id
           WHERE r.order_id = i.order_id AND l.state = 'tentative' AND r.state = 'tentative'
           RETURNING r.order_id, r.merchant_id),
         intake AS (
           INSERT INTO kitchen_orders (order_id, merchant_id, state, version, created_at)
           SELECT c.order_id, c.merchant_id, 'placed', 1, now() + (f.n - 1) * interval '1 microsecond'
           FROM confirmed c JOIN (SELECT order_id, min(n) AS n FROM input GROUP BY order_id) f
             ON f.order_id = c.order_id
           ON CONFLICT (order_id) DO NOTHING)
         SELECT c.event_id IS NOT NULL AS claimed, cf.order_id IS NOT NULL AS confirmed, l.state
         FROM input i
         LEFT JOIN claim c ON c.event_id = i.event_id
         LEFT JOIN confirmed cf ON cf.order_id = i.order_id
         LEFT JOIN locked l ON l.order_id = i.order_id
         ${ownTransaction ? "CROSS JOIN (SELECT set_config('synchronous_commit', 'off', true)) AS async_commit" : ''}
         ORDER BY i.n`,
        values: [consumer, unique.map((p) => p.eventId), unique.map((p) => p.orderId)],
      });
      const outcomes = rows.map((row): PlacedOutcome => {
        // An event whose reservation holds no stock is not claimed: the caller settles it.
        if (row.state === null) return 'missing';
        if (row.state === 'released') return 'released';
        if (!row.claimed) return 'duplicate';
        return row.confirmed ? 'confirmed' : row.state;
      });
      // The statement's rows follow `unique`, which keeps the order of `placed`.
      let row = 0;
      return placed.map((p, i) => (firstAt.get(p.eventId) === i ? outcomes[row++]! : 'duplicate'));
    },
    async publishStatusChanged(change) {
      const merchant = toProtoMerchant({
        ...change.merchant,
        status: change.effectiveStatus,
        prepEstimateSeconds: prepEstimateOf(change.merchant),
      });
      await settings.outbox.enqueue(db, topic, [
        {
          type: EVENTS.merchantStatusChanged,
          key: change.merchant.id,
          payload: {
            merchant,
            fromStatus: toProtoStatus(change.from),
            toStatus: toProtoStatus(change.to),
            reason: change.reason,
          },
          occurredAt: change.at,
        },
      ]);
    },
  };
}

function repoOn(db: Pool | PoolClient, settings: PgStoreSettings, ownTransaction: boolean): Repo {
  return {
    ...pgMerchantRepo(db),
    ...pgMenuRepo(db),
    ...pgReservationRepo(db),
    ...pgKitchenRepo(db),
    ...pgRetentionRepo(db),
    ...messaging(db, settings, ownTransaction),
  };
}

/** The merchant store on PostgreSQL (schema `merchants`, see migrations/). READ COMMITTED throughout. */
export function createPgStore(settings: PgStoreSettings): MerchantStore {
  return {
    repo: repoOn(settings.pool, settings, true),
    transaction: (work) => withTransaction(settings.pool, (client) => work(repoOn(client, settings, false))),
  };
}
