import { withTransaction, type Pool, type PoolClient } from '@mealpeak/db';
import { EVENTS, TOPICS, type TopicSpec } from '@mealpeak/kafka';
import { claimEvent, type Outbox } from '@mealpeak/outbox';
import type { MerchantStore, MessagingRepo, Repo } from '../app/ports.ts';
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
