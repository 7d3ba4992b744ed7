import type { MenuRepo, StockWrite } from '../app/ports.ts';
import { MAX_INT } from '../domain/merchant-profile.ts';
import { ITEM_COLUMNS, toItem, type ItemRow, type Sql } from './pg-rows.ts';

export function pgMenuRepo(db: Sql): MenuRepo {
  /** After a stock write changed nothing: the figure that refused it, or undefined (not the merchant's). */
  async function refusedBy(merchantId: string, itemId: string): Promise<StockWrite | undefined> {
    const { rows } = await db.query<{ stock: number }>(
      'SELECT stock FROM menu_items WHERE id = $1 AND merchant_id = $2',
      [itemId, merchantId],
    );
    return rows[0] && { ok: false, current: rows[0].stock };
  }

  return {
    async listMenu(merchantId) {
      const { rows } = await db.query<ItemRow>(
        `SELECT ${ITEM_COLUMNS} FROM menu_items WHERE merchant_id = $1 ORDER BY name, id`,
        [merchantId],
      );
      return rows.map(toItem);
    },

    async countItems(merchantId) {
      const { rows } = await db.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM menu_items WHERE merchant_id = $1',
        [merchantId],
      );
      return rows[0]?.n ?? 0;
    },

    async getItems(ids) {
      if (ids.length === 0) return [];
      const { rows } = await db.query<ItemRow>(`SELECT ${ITEM_COLUMNS} FROM menu_items WHERE id = ANY($1)`, [
        ids,
      ]);
      return rows.map(toItem);
    },

    async upsertItem(item) {
      // Without a stock figure an update keeps the row's own (the use case refuses to create
      // without one; the 0 only satisfies NOT NULL on the proposed row). The WHERE makes the update a no-op (no row returned) when the id is another merchant's.
      const { rows } = await db.query<ItemRow>(
        `INSERT INTO menu_items (id, merchant_id, name, description, price_minor, currency, stock, available)
         VALUES ($1, $2, $3, $4, $5, $6, COALESCE($7::int, 0), $8)
         ON CONFLICT (id) DO UPDATE SET
           name = EXCLUDED.name, description = EXCLUDED.description, price_minor = EXCLUDED.price_minor,
           currency = EXCLUDED.currency, stock = COALESCE($7::int, menu_items.stock), available = EXCLUDED.available,
           updated_at = now()
         WHERE menu_items.merchant_id = EXCLUDED.merchant_id
         RETURNING ${ITEM_COLUMNS}`,
        [
          item.id,
          item.merchantId,
          item.name,
          item.description,
          item.priceMinor,
          item.currency,
          item.stock,
          item.available,
        ],
      );
      return rows[0] && toItem(rows[0]);
    },

    async setStock(merchantId, itemId, stock, expected) {
      // The precondition is checked in the UPDATE itself: a placement taking units between the
      // app's read and this write makes it refuse rather than give those units back.
      const { rows } = await db.query<ItemRow>(
        `UPDATE menu_items SET stock = $3, updated_at = now()
         WHERE id = $1 AND merchant_id = $2 AND ($4::int IS NULL OR stock = $4::int)
         RETURNING ${ITEM_COLUMNS}`,
        [itemId, merchantId, stock, expected ?? null],
      );
      return rows[0] ? { ok: true, item: toItem(rows[0]) } : refusedBy(merchantId, itemId);
    },

    async addStock(merchantId, itemId, delta) {
      // Relative, so concurrent reservations and restocks compose; bigint so a sum past the
      // column's range is a refusal rather than an "integer out of range" error.
      const { rows } = await db.query<ItemRow>(
        `UPDATE menu_items SET stock = stock + $3::int, updated_at = now()
         WHERE id = $1 AND merchant_id = $2 AND stock::bigint + $3::int BETWEEN 0 AND ${MAX_INT}
         RETURNING ${ITEM_COLUMNS}`,
        [itemId, merchantId, delta],
      );
      return rows[0] ? { ok: true, item: toItem(rows[0]) } : refusedBy(merchantId, itemId);
    },

    async takeStock(itemId, quantity) {
      // The conditional decrement is the no-oversell guarantee: concurrent takers queue on the row
      // lock and each re-checks `stock >= quantity` against the committed value.
      const result = await db.query(
        'UPDATE menu_items SET stock = stock - $2, updated_at = now() WHERE id = $1 AND stock >= $2',
        [itemId, quantity],
      );
      return result.rowCount === 1;
    },

    async returnStock(itemId, quantity) {
      await db.query('UPDATE menu_items SET stock = stock + $2, updated_at = now() WHERE id = $1', [
        itemId,
        quantity,
      ]);
    },
  };
}
