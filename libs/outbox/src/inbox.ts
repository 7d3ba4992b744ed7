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
