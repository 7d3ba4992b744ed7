import type { MenuRepo, StockWrite } from '../app/ports.ts';
import { MAX_STOCK } from '../domain/merchant-profile.ts';
import { ITEM_COLUMNS, toItem, type ItemRow, type Sql } from './pg-rows.ts';

interface StockChangeRow {
  request_id: string;
  merchant_id: string;
  item_id: string;
  add_units: number | null;
  set_stock: number | null;
  expected_stock: number | null;
  stock: number;
}

export function pgMenuRepo(db: Sql): MenuRepo {
  /**
   * One statement: lock the item's row (READ COMMITTED: its latest committed figure, `cur_stock`),
   * write if `allowed` holds for that figure, and otherwise report it. The figure a refusal names
   * is the one it was refused on: a second read could see a restock or placement made in between.
   * `newStock` and `allowed` are written in terms of `cur_stock`, never of the row's own `stock`:
   * the UPDATE reads the row as of the statement's start, so a condition on `stock` refused on a
   * figure older than the one locked (a restock committed while this waited for the lock).
   */
  async function writeStock(
    merchantId: string,
    itemId: string,
    newStock: string,
    allowed: string,
    values: readonly unknown[],
  ): Promise<StockWrite | undefined> {
    const { rows } = await db.query<ItemRow & { written: boolean }>(
      `WITH cur AS (
         SELECT id AS cur_id, stock AS cur_stock FROM menu_items
         WHERE id = $1 AND merchant_id = $2 FOR NO KEY UPDATE),
       upd AS (
         UPDATE menu_items SET stock = ${newStock}, updated_at = now()
         FROM cur WHERE id = cur_id AND ${allowed}
         RETURNING ${ITEM_COLUMNS})
       SELECT true AS written, upd.* FROM upd
       UNION ALL
       SELECT false, NULL, NULL, NULL, NULL, NULL, NULL, cur_stock, NULL
       FROM cur WHERE NOT EXISTS (SELECT 1 FROM upd)`,
      [itemId, merchantId, ...values],
    );
    const row = rows[0];
    if (!row) return undefined;
    return row.written ? { ok: true, item: toItem(row) } : { ok: false, current: row.stock };
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
      return writeStock(merchantId, itemId, '$3', '($4::int IS NULL OR cur_stock = $4::int)', [
        stock,
        expected ?? null,
      ]);
    },

    async addStock(merchantId, itemId, delta) {
      // Relative, so concurrent reservations and restocks compose; bigint so a sum past the
      // column's range is a refusal rather than an "integer out of range" error. Only an add is
      // capped at MAX_STOCK: a removal from a figure above it (written over gRPC) stays possible.
      return writeStock(
        merchantId,
        itemId,
        'cur_stock + $3::int',
        `cur_stock::bigint + $3::int >= 0 AND ($3::int <= 0 OR cur_stock::bigint + $3::int <= ${MAX_STOCK})`,
        [delta],
      );
    },

    async getStockChange(merchantId, requestId) {
      const { rows } = await db.query<StockChangeRow>(
        `SELECT request_id, merchant_id, item_id, add_units, set_stock, expected_stock, stock
         FROM stock_changes WHERE merchant_id = $1 AND request_id = $2`,
        [merchantId, requestId],
      );
      const row = rows[0];
      return (
        row && {
          requestId: row.request_id,
          merchantId: row.merchant_id,
          itemId: row.item_id,
          add: row.add_units ?? undefined,
          stock: row.set_stock ?? undefined,
          expectedStock: row.expected_stock ?? undefined,
          result: row.stock,
        }
      );
    },

    async recordStockChange(c) {
      const result = await db.query(
        `INSERT INTO stock_changes (request_id, merchant_id, item_id, add_units, set_stock, expected_stock, stock)
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (merchant_id, request_id) DO NOTHING`,
        [
          c.requestId,
          c.merchantId,
          c.itemId,
          c.add ?? null,
          c.stock ?? null,
          c.expectedStock ?? null,
          c.result,
        ],
      );
      return result.rowCount === 1;
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
