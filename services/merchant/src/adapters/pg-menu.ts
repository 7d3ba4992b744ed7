import type { MenuRepo } from '../app/ports.ts';
import { ITEM_COLUMNS, toItem, type ItemRow, type Sql } from './pg-rows.ts';

export function pgMenuRepo(db: Sql): MenuRepo {
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

    async setStock(merchantId, itemId, stock) {
      const { rows } = await db.query<ItemRow>(
        `UPDATE menu_items SET stock = $3, updated_at = now() WHERE id = $1 AND merchant_id = $2
         RETURNING ${ITEM_COLUMNS}`,
        [itemId, merchantId, stock],
      );
      return rows[0] && toItem(rows[0]);
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
