import type { Pool } from '@mealpeak/db';
import type { TopicSpec } from '@mealpeak/kafka';
import type { Outbox } from '@mealpeak/outbox';
import type { DispatchStore } from '../app/ports.ts';
import { createPgOfferStore } from './pg-offer-store.ts';
import { createPgOrderStore } from './pg-order-store.ts';
import { createPgReleaseStore } from './pg-release-store.ts';
import { createPgRetentionStore } from './pg-retention.ts';
import { createPgRiderStore } from './pg-rider-store.ts';
import { createPgRunStore } from './pg-run-store.ts';
import { createPgRoundStore } from './pg-round-store.ts';
import { createPgStatusStore } from './pg-status-store.ts';
import { txHelpers } from './pg-tx.ts';

/** The dispatch schema in PostgreSQL (migrations/0001_dispatch.sql), facts through the outbox. */
export function createPgDispatchStore(pool: Pool, outbox: Outbox, dispatchEvents: TopicSpec): DispatchStore {
  const helpers = txHelpers(outbox, dispatchEvents);
  return {
    ...createPgRoundStore(pool),
    ...createPgOfferStore(pool, helpers),
    ...createPgRiderStore(pool, helpers),
    ...createPgOrderStore(pool, helpers),
    ...createPgRetentionStore(pool),
    ...createPgReleaseStore(pool, helpers),
    ...createPgRunStore(pool),
    ...createPgStatusStore(pool),
  };
}
