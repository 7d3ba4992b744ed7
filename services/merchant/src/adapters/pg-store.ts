import { withTransaction, type Pool, type PoolClient } from '@mealpeak/db';
import { EVENTS, TOPICS, type TopicSpec } from '@mealpeak/kafka';
import { claimEvent, type Outbox } from '@mealpeak/outbox';
import type { MerchantStore, MessagingRepo, Repo } from '../app/ports.ts';
import type { ReservationState } from '../domain/reservation.ts';
import { prepEstimateOf } from '../app/views.ts';
import { toProtoMerchant, toProtoStatus } from './merchant-proto.ts';
import { pgKitchenRepo } from './pg-kitchen.ts';
import { pgMenuRepo } from './pg-menu.ts';
import { pgMerchantRepo } from './pg-merchants.ts';
import { pgReservationRepo } from './pg-reservations.ts';

export interface PgStoreSettings {
  pool: Pool;
  outbox: Outbox;
  /** Where status events go; tests pass a topic of their own. */
  merchantEventsTopic?: TopicSpec | string;
}

function messaging(db: Pool | PoolClient, settings: PgStoreSettings): MessagingRepo {
  const topic = settings.merchantEventsTopic ?? TOPICS.merchantEvents;
  return {
    claimEvent: (consumer, eventId) => claimEvent(db, consumer, eventId),
    async confirmPlacedOnce(consumer, eventId, orderId) {
      // One statement instead of a four-round-trip transaction. The last sub-select sees the
      // reservation as it was before `confirmed` ran, so `confirmed` is reported separately.
      const { rows } = await db.query<{
        claimed: boolean;
        confirmed: boolean;
        state: ReservationState | null;
      }>({
        name: 'merchants.confirm-placed-once',
        text: `WITH claim AS (
           INSERT INTO processed_events (consumer, event_id) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING 1),
         confirmed AS (
           UPDATE reservations SET state = 'confirmed', updated_at = now()
           WHERE order_id = $3 AND state = 'tentative' AND EXISTS (SELECT 1 FROM claim) RETURNING 1)
         SELECT EXISTS (SELECT 1 FROM claim) AS claimed, EXISTS (SELECT 1 FROM confirmed) AS confirmed,
                (SELECT state FROM reservations WHERE order_id = $3) AS state`,
        values: [consumer, eventId, orderId],
      });
      const row = rows[0];
      if (!row?.claimed) return 'duplicate';
      if (row.confirmed) return 'confirmed';
      return row.state ?? 'missing';
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

function repoOn(db: Pool | PoolClient, settings: PgStoreSettings): Repo {
  return {
    ...pgMerchantRepo(db),
    ...pgMenuRepo(db),
    ...pgReservationRepo(db),
    ...pgKitchenRepo(db),
    ...messaging(db, settings),
  };
}

/** The merchant store on PostgreSQL (schema `merchants`, see migrations/). READ COMMITTED throughout. */
export function createPgStore(settings: PgStoreSettings): MerchantStore {
  return {
    repo: repoOn(settings.pool, settings),
    transaction: (work) => withTransaction(settings.pool, (client) => work(repoOn(client, settings))),
  };
}
