import { distanceMeters } from '../../domain/geo.ts';
import type { KitchenOrder } from '../../domain/kitchen.ts';
import { MAX_STOCK } from '../../domain/merchant-profile.ts';
import { withProfileChange } from '../../domain/profile-change.ts';
import type { MenuItem, Merchant } from '../../domain/types.ts';
import type {
  MerchantStore,
  PlacedOutcome,
  Repo,
  Reservation,
  StatusChange,
  StockChangeRecord,
} from '../ports.ts';

interface State {
  merchants: Map<string, Merchant>;
  items: Map<string, MenuItem>;
  reservations: Map<string, Reservation & { nextCheckAt: Date; reason: string }>;
  kitchen: Map<string, KitchenOrder>;
  processed: Set<string>;
  events: StatusChange[];
  /** Created and last changed, per reservation ('r:' + order id) and kitchen row ('k:' + order id). */
  stamps: Map<string, { created: Date; changed: Date }>;
  /** By stockChangeKey: request ids are per merchant, like the table's key. */
  stockChanges: Map<string, StockChangeRecord & { created: Date }>;
}

const stockChangeKey = (merchantId: string, requestId: string) => JSON.stringify([merchantId, requestId]);

const copy = (s: State): State => ({
  merchants: new Map(s.merchants),
  items: new Map(s.items),
  reservations: new Map(s.reservations),
  kitchen: new Map(s.kitchen),
  processed: new Set(s.processed),
  events: [...s.events],
  stamps: new Map(s.stamps),
  stockChanges: new Map(s.stockChanges),
});

const byKey = (a: { d: number; id: string }, b: { d: number; id: string }) =>
  a.d - b.d || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

export interface InMemoryStore extends MerchantStore {
  /** Status events committed so far (what the outbox would publish). */
  readonly events: () => readonly StatusChange[];
  readonly item: (id: string) => MenuItem | undefined;
  readonly kitchenOrder: (orderId: string) => KitchenOrder | undefined;
}

/**
 * The store in memory, for use-case tests: the same contract as the PostgreSQL adapter, with
 * transactions run one at a time and rolled back by restoring a copy. Records are never mutated
 * in place, so copying the maps is a full snapshot. Concurrency is proven against PostgreSQL.
 */
export function createInMemoryStore(now: () => Date = () => new Date()): InMemoryStore {
  let s: State = copy({
    merchants: new Map(),
    items: new Map(),
    reservations: new Map(),
    kitchen: new Map(),
    processed: new Set(),
    events: [],
    stamps: new Map(),
    stockChanges: new Map(),
  });
  const touch = (key: string) => {
    const at = now();
    s.stamps.set(key, { created: s.stamps.get(key)?.created ?? at, changed: at });
  };
  const before = (key: string, cutoff: Date) => {
    const t = s.stamps.get(key);
    return !!t && t.created < cutoff && t.changed < cutoff;
  };
  let queue: Promise<unknown> = Promise.resolve();

  const repo: Repo = {
    getMerchant: async (id) => s.merchants.get(id),
    async saveProfile(profile) {
      const existing = s.merchants.get(profile.id);
      const merchant: Merchant = {
        manualStatus: 'OPEN',
        autoPaused: false,
        backlog: 0,
        ...existing,
        ...profile,
        // As the pg adapter: no address given keeps the stored one.
        address: profile.address ?? existing?.address ?? '',
      };
      s.merchants.set(profile.id, merchant);
      return merchant;
    },
    async saveAddress(id, address) {
      const m = s.merchants.get(id);
      if (!m) return undefined;
      const saved = { ...m, address };
      s.merchants.set(id, saved);
      return saved;
    },
    async updateProfile(id, change) {
      const m = s.merchants.get(id);
      if (!m) return undefined;
      const saved = withProfileChange(m, change);
      s.merchants.set(id, saved);
      return saved;
    },
    async updateControl(id, control) {
      const m = s.merchants.get(id);
      if (m) s.merchants.set(id, { ...m, ...control });
    },
    async findNear({ center, radiusM, after, limit, unpausedOnly }) {
      return [...s.merchants.values()]
        .map((merchant) => ({ merchant, distanceM: distanceMeters(center, merchant.location) }))
        .filter(({ merchant, distanceM }) => distanceM <= Math.min(radiusM, merchant.deliveryRadiusM))
        .filter(({ merchant }) => !unpausedOnly || (merchant.manualStatus === 'OPEN' && !merchant.autoPaused))
        .filter(
          (r) =>
            !after || byKey({ d: r.distanceM, id: r.merchant.id }, { d: after.distanceM, id: after.id }) > 0,
        )
        .sort((a, b) => byKey({ d: a.distanceM, id: a.merchant.id }, { d: b.distanceM, id: b.merchant.id }))
        .slice(0, limit);
    },
    hasItemsPricedOtherThan: async (merchantId, currency) =>
      [...s.items.values()].some((i) => i.merchantId === merchantId && i.currency !== currency),
    listMenu: async (merchantId) =>
      [...s.items.values()]
        .filter((i) => i.merchantId === merchantId)
        .sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id)),
    getItems: async (ids) => ids.flatMap((id) => s.items.get(id) ?? []),
    countItems: async (merchantId) => [...s.items.values()].filter((i) => i.merchantId === merchantId).length,
    async upsertItem(item) {
      const existing = s.items.get(item.id);
      if (existing && existing.merchantId !== item.merchantId) return undefined;
      const stock = item.stock ?? existing?.stock;
      if (stock === undefined) throw new Error(`menu item ${item.id}: stock is required to create it`);
      const saved = { ...item, stock };
      s.items.set(item.id, saved);
      return saved;
    },
    async setStock(merchantId, itemId, stock, expected) {
      const item = s.items.get(itemId);
      if (!item || item.merchantId !== merchantId) return undefined;
      if (expected !== undefined && item.stock !== expected) return { ok: false, current: item.stock };
      const updated = { ...item, stock };
      s.items.set(itemId, updated);
      return { ok: true, item: updated };
    },
    async addStock(merchantId, itemId, delta) {
      const item = s.items.get(itemId);
      if (!item || item.merchantId !== merchantId) return undefined;
      const stock = item.stock + delta;
      if (stock < 0 || (delta > 0 && stock > MAX_STOCK)) return { ok: false, current: item.stock };
      const updated = { ...item, stock };
      s.items.set(itemId, updated);
      return { ok: true, item: updated };
    },
    getStockChange: async (merchantId, requestId) => {
      const found = s.stockChanges.get(stockChangeKey(merchantId, requestId));
      if (!found) return undefined;
      const { created: _c, ...change } = found;
      return change;
    },
    async recordStockChange(change) {
      const key = stockChangeKey(change.merchantId, change.requestId);
      if (s.stockChanges.has(key)) return false;
      s.stockChanges.set(key, { ...change, created: now() });
      return true;
    },
    async takeStock(itemId, quantity) {
      const item = s.items.get(itemId);
      if (!item || item.stock < quantity) return false;
      s.items.set(itemId, { ...item, stock: item.stock - quantity });
      return true;
    },
    async returnStock(itemId, quantity) {
      const item = s.items.get(itemId);
      if (item) s.items.set(itemId, { ...item, stock: item.stock + quantity });
    },
    async getReservation(orderId) {
      const r = s.reservations.get(orderId);
      if (!r) return undefined;
      const { nextCheckAt: _n, reason: _r, ...reservation } = r;
      return reservation;
    },
    async insertReservation(r) {
      if (s.reservations.has(r.orderId)) return false;
      s.reservations.set(r.orderId, { ...r, nextCheckAt: r.reservedUntil, reason: '' });
      touch(`r:${r.orderId}`);
      return true;
    },
    async reserveAtomically(r, lines) {
      const want = new Map<string, number>();
      for (const l of lines) want.set(l.itemId, (want.get(l.itemId) ?? 0) + l.quantity);
      const pricedAt = new Map(r.lines.map((l) => [l.itemId, l.unitPriceMinor]));
      const enough = [...want].every(([id, q]) => {
        const item = s.items.get(id);
        return (
          !!item &&
          item.merchantId === r.merchantId &&
          item.available &&
          item.stock >= q &&
          item.priceMinor === pricedAt.get(id)
        );
      });
      if (!enough) return 'refused';
      if (s.reservations.has(r.orderId)) return 'exists';
      s.reservations.set(r.orderId, { ...r, nextCheckAt: r.reservedUntil, reason: '' });
      touch(`r:${r.orderId}`);
      for (const [id, q] of want) {
        const item = s.items.get(id)!;
        s.items.set(id, { ...item, stock: item.stock - q });
      }
      return 'reserved';
    },
    async transitionReservation(orderId, from, to, reason) {
      const r = s.reservations.get(orderId);
      if (!r || !from.includes(r.state)) return undefined;
      s.reservations.set(orderId, { ...r, state: to, reason });
      touch(`r:${orderId}`);
      return repo.getReservation(orderId);
    },
    async claimDue(now, leaseUntil, limit) {
      const due = [...s.reservations.values()]
        .filter((r) => r.state === 'tentative' && r.nextCheckAt <= now)
        .sort((a, b) => a.nextCheckAt.getTime() - b.nextCheckAt.getTime())
        .slice(0, limit);
      for (const r of due) s.reservations.set(r.orderId, { ...r, nextCheckAt: leaseUntil });
      return Promise.all(due.map(async (r) => (await repo.getReservation(r.orderId))!));
    },
    getKitchenOrder: async (orderId) => s.kitchen.get(orderId),
    async saveKitchenOrder(order) {
      const current = s.kitchen.get(order.orderId);
      if (!current || current.version < order.version) {
        s.kitchen.set(order.orderId, order);
        touch(`k:${order.orderId}`);
      }
    },
    // No creation times here: a placed row counts however old (PostgreSQL bounds it).
    countBacklog: async (merchantId, upTo) =>
      Math.min(
        upTo,
        [...s.kitchen.values()].filter(
          (k) => k.merchantId === merchantId && (k.state === 'placed' || k.state === 'accepted'),
        ).length,
      ),
    // Map order is filing order (a re-set keeps a key's place), as created_at is in PostgreSQL.
    countAhead: async (merchantId, orderId, upTo) => {
      const rows = [...s.kitchen.values()];
      const mine = rows.findIndex((k) => k.orderId === orderId);
      return Math.min(
        upTo,
        rows.filter(
          (k, i) =>
            k.merchantId === merchantId &&
            k.orderId !== orderId &&
            (k.state === 'accepted' || (k.state === 'placed' && (mine < 0 || i < mine))),
        ).length,
      );
    },
    // No creation times here either: every merchant that may be stale is a candidate.
    lockAgedBacklogs: async (afterId, limit) =>
      [...s.merchants.values()]
        .filter((m) => (m.autoPaused || m.backlog > 0) && m.id > afterId)
        .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
        .slice(0, limit),
    async claimEvent(consumer, eventId) {
      const key = `${consumer}:${eventId}`;
      if (s.processed.has(key)) return false;
      s.processed.add(key);
      return true;
    },
    async confirmPlaced(consumer, placed) {
      const outcomes: PlacedOutcome[] = [];
      for (const { eventId, orderId } of placed) {
        const r = s.reservations.get(orderId);
        if (!r || r.state === 'released') {
          outcomes.push(r ? 'released' : 'missing'); // not claimed: the caller settles it
          continue;
        }
        if (!(await repo.claimEvent(consumer, eventId))) {
          outcomes.push('duplicate');
          continue;
        }
        if (r.state === 'tentative') {
          s.reservations.set(orderId, { ...r, state: 'confirmed', reason: 'ORDER_PLACED' });
          touch(`r:${orderId}`);
          if (!s.kitchen.has(orderId)) {
            s.kitchen.set(orderId, { orderId, merchantId: r.merchantId, state: 'placed', version: 1 });
            touch(`k:${orderId}`);
          }
        }
        outcomes.push('confirmed');
      }
      return outcomes;
    },
    async publishStatusChanged(change) {
      s.events.push(change);
    },
    async purgeFinished(cutoff, limit) {
      const kitchen = [...s.kitchen.values()]
        .filter((k) => k.state !== 'accepted' && before(`k:${k.orderId}`, cutoff))
        .slice(0, limit);
      for (const k of kitchen) s.kitchen.delete(k.orderId);
      const open = (orderId: string) => ['placed', 'accepted'].includes(s.kitchen.get(orderId)?.state ?? '');
      const reservations = [...s.reservations.values()]
        .filter(
          (r) =>
            (r.state === 'released' || (r.state === 'confirmed' && !open(r.orderId))) &&
            before(`r:${r.orderId}`, cutoff),
        )
        .slice(0, limit - kitchen.length);
      for (const r of reservations) s.reservations.delete(r.orderId);
      const changes = [...s.stockChanges.values()]
        .filter((c) => c.created < cutoff)
        .slice(0, limit - kitchen.length - reservations.length);
      for (const c of changes) s.stockChanges.delete(stockChangeKey(c.merchantId, c.requestId));
      return kitchen.length + reservations.length + changes.length;
    },
  };

  return {
    repo,
    transaction<T>(work: (tx: Repo) => Promise<T>): Promise<T> {
      const run = queue.then(async () => {
        const before = copy(s);
        try {
          return await work(repo);
        } catch (error) {
          s = before;
          throw error;
        }
      });
      queue = run.catch(() => undefined);
      return run;
    },
    events: () => s.events,
    item: (id) => s.items.get(id),
    kitchenOrder: (orderId) => s.kitchen.get(orderId),
  };
}
