import { purgeRows, type PurgeStep, type Queryable } from '@mealpeak/db';

/**
 * Records that `consumer` applied `eventId`, in the caller's transaction. Returns false when it
 * already had: the caller then skips the effect, so a redelivered event changes nothing even
 * when the handler itself is not idempotent.
 */
export async function claimEvent(tx: Queryable, consumer: string, eventId: string): Promise<boolean> {
  const result = await tx.query({
    name: 'outbox.claim-event',
    text: 'INSERT INTO processed_events (consumer, event_id) VALUES ($1, $2) ON CONFLICT DO NOTHING',
    values: [consumer, eventId],
  });
  return result.rowCount === 1;
}

const CLAIMS: readonly PurgeStep[] = [
  {
    name: 'outbox.purge-claims',
    table: 'processed_events',
    key: ['consumer', 'event_id'],
    where: 'x.processed_at < $1',
  },
];

/**
 * Forgets claims made before `before`, at most `limit` of them, and says how many. The inbox only
 * has to outlive every redelivery of an event: the topic's retention (INBOX_RETENTION_HOURS,
 * ADR 0012). Replicas purging at once share the work (purgeRows).
 */
export function purgeClaims(db: Queryable, before: Date, limit: number): Promise<number> {
  return purgeRows(db, CLAIMS, before, limit);
}
