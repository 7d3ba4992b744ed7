import { v5 as uuidv5 } from 'uuid';

/** Fixed namespace for order ids; changing it would break replays of keys issued before the change. */
const ORDER_ID_NAMESPACE = '4d0f4a55-6f1e-4c3b-9a43-1f9c2f0b7a10';

/**
 * The order id is derived from (customer, Idempotency-Key), not drawn at random: a retried POST
 * /v1/orders names the same order even when the Redis idempotency record is gone (Redis down,
 * record expired), and PlaceOrder is idempotent on the id, so duplicates converge on one order.
 */
export function orderIdFor(customerId: string, idempotencyKey: string): string {
  // The first unescaped ':' separates the two, so no other pair gives the same name (keys may
  // contain ':', and so may subjects: "c-1" + "x:y" and "c-1:x" + "y" were one order id).
  // Subjects without ':' or '\\' keep the ids they always had.
  const subject = customerId.replaceAll('\\', '\\\\').replaceAll(':', '\\:');
  return uuidv5(`${subject}:${idempotencyKey}`, ORDER_ID_NAMESPACE);
}
