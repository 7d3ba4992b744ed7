import type { Queryable } from '@mealpeak/db';

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

/**
 * Forgets claims made before `before`, at most `limit` of them, and says how many. The inbox only
 * has to outlive every redelivery of an event: the topic's retention plus any consumer lag
 * (INBOX_RETENTION_HOURS). SKIP LOCKED: replicas purging at once share the work instead of
 * waiting on each other's rows.
 */
export async function purgeClaims(db: Queryable, before: Date, limit: number): Promise<number> {
  const result = await db.query({
    name: 'outbox.purge-claims',
    text: `DELETE FROM processed_events p
            USING (SELECT consumer, event_id FROM processed_events WHERE processed_at < $1
                    LIMIT $2 FOR UPDATE SKIP LOCKED) old
            WHERE p.consumer = old.consumer AND p.event_id = old.event_id`,
    values: [before, limit],
  });
  return result.rowCount ?? 0;
}
