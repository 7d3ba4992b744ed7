import { EARTH_RADIUS_M, boundingBox } from '../domain/geo.ts';
import type { MerchantRepo } from '../app/ports.ts';
import { MERCHANT_COLUMNS, toMerchant, type MerchantRow, type Sql } from './pg-rows.ts';

// Haversine in SQL over the bounding-box survivors; least() guards asin against rounding above 1.
const DISTANCE = `2 * ${EARTH_RADIUS_M} * asin(least(1, sqrt(
    power(sin(radians(lat - $1) / 2), 2)
  + cos(radians($1)) * cos(radians(lat)) * power(sin(radians(lng - $2) / 2), 2))))`;

export function pgMerchantRepo(db: Sql): MerchantRepo {
  return {
    async getMerchant(id, options) {
      const { rows } = await db.query<MerchantRow>(
        `SELECT ${MERCHANT_COLUMNS} FROM merchants WHERE id = $1${options?.forUpdate ? ' FOR UPDATE' : ''}`,
        [id],
      );
      return rows[0] && toMerchant(rows[0]);
    },

    async saveProfile(p) {
      const { rows } = await db.query<MerchantRow>(
        `INSERT INTO merchants (id, name, lat, lng, time_zone, opening_hours, kitchen_capacity,
                                auto_pause_backlog, base_prep_seconds, currency, delivery_radius_m, address)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
         ON CONFLICT (id) DO UPDATE SET
           name = EXCLUDED.name, lat = EXCLUDED.lat, lng = EXCLUDED.lng, time_zone = EXCLUDED.time_zone,
           opening_hours = EXCLUDED.opening_hours, kitchen_capacity = EXCLUDED.kitchen_capacity,
           auto_pause_backlog = EXCLUDED.auto_pause_backlog, base_prep_seconds = EXCLUDED.base_prep_seconds,
           currency = EXCLUDED.currency, delivery_radius_m = EXCLUDED.delivery_radius_m,
           -- NULL: the caller did not send an address (an older one): keep the stored one.
           address = coalesce(EXCLUDED.address, merchants.address), updated_at = now()
         RETURNING ${MERCHANT_COLUMNS}`,
        [
          p.id,
          p.name,
          p.location.lat,
          p.location.lng,
          p.timeZone,
          JSON.stringify(p.openingHours),
          p.kitchenCapacity,
          p.autoPauseBacklog,
          p.basePrepSeconds,
          p.currency,
          p.deliveryRadiusM,
          p.address ?? null,
        ],
      );
      return toMerchant(rows[0]!);
    },

    async saveAddress(id, address) {
      const { rows } = await db.query<MerchantRow>(
        `UPDATE merchants SET address = $2, updated_at = now() WHERE id = $1 RETURNING ${MERCHANT_COLUMNS}`,
        [id, address],
      );
      return rows[0] && toMerchant(rows[0]);
    },

    async updateProfile(id, c) {
      // NULL: not given, the column keeps its value. One statement on the row as it is when the
      // row lock is granted, so an edit of other fields committed meanwhile is kept.
      const { rows } = await db.query<MerchantRow>(
        `UPDATE merchants SET
           name = coalesce($2::text, name),
           address = coalesce($3::text, address),
           time_zone = coalesce($4::text, time_zone),
           opening_hours = coalesce($5::jsonb, opening_hours),
           kitchen_capacity = coalesce($6::integer, kitchen_capacity),
           base_prep_seconds = coalesce($7::integer, base_prep_seconds),
           auto_pause_backlog = coalesce($8::integer, auto_pause_backlog),
           updated_at = now()
         WHERE id = $1
         RETURNING ${MERCHANT_COLUMNS}`,
        [
          id,
          c.name ?? null,
          c.address ?? null,
          c.timeZone ?? null,
          c.openingHours === undefined ? null : JSON.stringify(c.openingHours),
          c.kitchenCapacity ?? null,
          c.basePrepSeconds ?? null,
          c.autoPauseBacklog ?? null,
        ],
      );
      return rows[0] && toMerchant(rows[0]);
    },

    async updateControl(id, c) {
      await db.query(
        `UPDATE merchants SET manual_status = $2, auto_paused = $3, backlog = $4, updated_at = now() WHERE id = $1`,
        [id, c.manualStatus, c.autoPaused, c.backlog],
      );
    },

    async findNear({ center, radiusM, after, limit, unpausedOnly }) {
      const box = boundingBox(center, radiusM);
      // Keyset paging on (distance, id); the distance expression is the same on every page, so the
      // cursor's double compares exactly. "C" collation: byte order, as the cursor expects.
      const { rows } = await db.query<MerchantRow & { distance_m: number }>(
        `SELECT * FROM (
           SELECT ${MERCHANT_COLUMNS}, ${DISTANCE} AS distance_m
           FROM merchants
           WHERE lat BETWEEN $3 AND $4
             AND ($5::float8 IS NULL OR lng BETWEEN $5 AND $6)
             AND (NOT $7 OR (manual_status = 'OPEN' AND NOT auto_paused))
         ) near
         WHERE distance_m <= least($8, delivery_radius_m)
           AND ($9::float8 IS NULL OR (distance_m, id COLLATE "C") > ($9::float8, $10::text COLLATE "C"))
         ORDER BY distance_m, id COLLATE "C"
         LIMIT $11`,
        [
          center.lat,
          center.lng,
          box.minLat,
          box.maxLat,
          box.lng?.min ?? null,
          box.lng?.max ?? null,
          unpausedOnly,
          radiusM,
          after?.distanceM ?? null,
          after?.id ?? null,
          limit,
        ],
      );
      return rows.map((r) => ({ merchant: toMerchant(r), distanceM: r.distance_m }));
    },

    async hasItemsPricedOtherThan(merchantId, currency) {
      const { rows } = await db.query<{ found: boolean }>(
        'SELECT EXISTS (SELECT 1 FROM menu_items WHERE merchant_id = $1 AND currency <> $2) AS found',
        [merchantId, currency],
      );
      return rows[0]?.found ?? false;
    },
  };
}
