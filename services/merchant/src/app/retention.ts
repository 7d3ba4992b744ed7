import type { UseCaseDeps } from './deps.ts';

/**
 * Eight days: longer than the order topic's retention (the broker's default, 7 days) plus a day of
 * consumer lag, so no event about a purged order can still arrive, as for the inbox.
 */
export const DEFAULT_FINISHED_RETENTION_HOURS = 192;

export function retentionUseCases({ store, clock, settings }: UseCaseDeps) {
  return {
    /**
     * Deletes up to `limit` rows of finished work older than the retention (ready or dropped
     * kitchen rows, released reservations, confirmed ones no longer cooking); how many went.
     */
    async purgeFinished(limit: number): Promise<number> {
      const hours = settings.finishedRetentionHours ?? DEFAULT_FINISHED_RETENTION_HOURS;
      return store.repo.purgeFinished(new Date(clock.now().getTime() - hours * 3_600_000), limit);
    },
  };
}
