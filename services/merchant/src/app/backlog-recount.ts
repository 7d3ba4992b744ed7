import type { UseCaseDeps } from './deps.ts';
import { recomputeControl } from './kitchen-sync.ts';

export interface RecountReport {
  /** Merchants recounted. */
  readonly recounted: number;
  /** Of those, merchants whose stored backlog or auto-pause changed. */
  readonly changed: number;
}

/**
 * The backlog count leaves out rows past an age (docs/merchant.md, ADR 0017), but the stored
 * backlog and auto-pause are recounted only when something happens to the merchant's kitchen. A
 * store auto-paused by orders that are never marked ready refuses new orders (MERCHANT_BUSY), so
 * nothing happens, and it would stay paused for ever: this recount, run periodically on every
 * replica, applies the ageing with the same status events as any other recount.
 */
export function backlogRecountUseCases({ store, clock }: UseCaseDeps) {
  return {
    /** Recounts every merchant that may be stale, `batchSize` merchants per transaction. */
    async recountAgedBacklogs(batchSize: number): Promise<RecountReport> {
      let recounted = 0;
      let changed = 0;
      let afterId = '';
      for (;;) {
        const { batch, moved } = await store.transaction(async (tx) => {
          const merchants = await tx.lockAgedBacklogs(afterId, batchSize);
          let n = 0;
          for (const merchant of merchants)
            if ((await recomputeControl(tx, merchant, clock.now())) !== merchant) n++;
          return { batch: merchants, moved: n };
        });
        recounted += batch.length;
        changed += moved;
        // Keyset: a merchant that stays a candidate (still busy, with an old row) is recounted
        // once per run, not again and again.
        if (batch.length < batchSize) return { recounted, changed };
        afterId = batch.at(-1)!.id;
      }
    },
  };
}
