import type { UseCaseDeps } from './deps.ts';

export function retentionUseCases({ store, clock }: UseCaseDeps) {
  return {
    /**
     * Deletes up to `limit` rows of finished work older than `retentionHours` (ready or dropped
     * kitchen rows, released reservations, confirmed ones no longer cooking); how many went. The
     * window must outlast the order topic's retention plus lag (KITCHEN_RETENTION_HOURS, ADR 0012).
     */
    async purgeFinished(retentionHours: number, limit: number): Promise<number> {
      return store.repo.purgeFinished(new Date(clock.now().getTime() - retentionHours * 3_600_000), limit);
    },
  };
}
