import { v5 as uuidv5 } from 'uuid';

/** Fixed namespace for stock request ids; changing it would let a retry across the change apply twice. */
const STOCK_REQUEST_NAMESPACE = 'b6f0b1e2-3c0d-4f57-8a3e-5d2f7c9e4a61';

/**
 * ChangeStock's request_id for PUT /v1/merchant/menu/items/:itemId/stock with an Idempotency-Key,
 * derived, as the order id is (order-id.ts), so a retry names the same change even when the Redis
 * record is gone or was released after a 5xx: the merchant service answers a repeat with the first
 * result (adr/0022). Scoped as the key is (subject and path: the item), and hashed, so the user's
 * key never reaches the merchant service's table. JSON keeps the three parts apart whatever they hold.
 */
export function stockRequestIdFor(merchantId: string, itemId: string, idempotencyKey: string): string {
  return uuidv5(JSON.stringify([merchantId, itemId, idempotencyKey]), STOCK_REQUEST_NAMESPACE);
}
