import type { MenuItem, Merchant } from '../domain/types.ts';
import type { Repo } from './ports.ts';

/** Merchants and menu items as placement reads them: at most `ttlMs` old. Stock is never cached. */
export interface CatalogueCache {
  merchant(id: string): Promise<Merchant | undefined>;
  items(ids: readonly string[]): Promise<MenuItem[]>;
}

/**
 * A per-replica cache for the two reads every placement makes. At lunch peak one merchant gets
 * many orders a second, and its profile, prices and availability change a few times a day: a
 * second of staleness (a price edit or a pause seen one second late) buys two database round trips
 * per order. ttlMs 0 disables it.
 */
export function createCatalogueCache(
  repo: Pick<Repo, 'getMerchant' | 'getItems'>,
  ttlMs: number,
  now = () => Date.now(),
): CatalogueCache {
  if (ttlMs <= 0) return { merchant: (id) => repo.getMerchant(id), items: (ids) => repo.getItems(ids) };
  const merchants = new Map<string, { at: number; value: Merchant | undefined }>();
  const items = new Map<string, { at: number; value: MenuItem }>();
  const fresh = (at: number) => now() - at < ttlMs;
  return {
    async merchant(id) {
      const hit = merchants.get(id);
      if (hit && fresh(hit.at)) return hit.value;
      const value = await repo.getMerchant(id);
      merchants.set(id, { at: now(), value });
      return value;
    },
    async items(ids) {
      const missing = ids.filter((id) => {
        const hit = items.get(id);
        return !hit || !fresh(hit.at);
      });
      if (missing.length > 0) {
        const at = now();
        for (const id of missing) items.delete(id);
        for (const item of await repo.getItems(missing)) items.set(item.id, { at, value: item });
      }
      return ids.flatMap((id) => {
        const hit = items.get(id);
        return hit ? [hit.value] : [];
      });
    },
  };
}
