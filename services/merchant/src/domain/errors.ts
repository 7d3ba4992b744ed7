/**
 * The merchant service's error catalogue: every expected failure, with a stable code and the kind
 * transports map to a gRPC status. Field names are the proto's snake_case paths, e.g. `lines[2].quantity`.
 */
import { codedError, type CodedError, type FieldError } from '@mealpeak/core';
export type { ErrorKind, FieldError } from '@mealpeak/core';
/** Every merchant failure is a core CodedError; the alias names it in signatures. */
export type MerchantError = CodedError;

const error = codedError;

/**
 * Most field errors one answer carries: a 50-line order can be wrong on every line, and the
 * answer travels to the client and may be kept for its Idempotency-Key (gateway, adr/0007).
 */
export const MAX_FIELD_ERRORS = 10;
const bounded = (fields: readonly FieldError[]) => fields.slice(0, MAX_FIELD_ERRORS);

export const Errors = {
  invalidArgument: (fields: readonly FieldError[]) =>
    // The message names the fields, as the order and dispatch services' do.
    error(
      'invalid',
      'INVALID_ARGUMENT',
      fields.length
        ? bounded(fields)
            .map((f) => `${f.field}: ${f.message}`)
            .join('; ')
        : 'the request is invalid',
      bounded(fields),
    ),
  // An edit that names no field: more likely a caller's bug (or a field this release does not
  // know) than a wish to change nothing.
  nothingToChange: (fields: readonly string[]) =>
    error('invalid', 'INVALID_ARGUMENT', `nothing to change: give at least one of ${fields.join(', ')}`),
  merchantNotFound: (merchantId: string) =>
    error('not_found', 'MERCHANT_NOT_FOUND', `merchant ${merchantId} does not exist`),
  merchantClosed: () => error('conflict', 'MERCHANT_CLOSED', 'the merchant is outside its opening hours'),
  merchantPaused: () => error('conflict', 'MERCHANT_PAUSED', 'the merchant has paused taking orders'),
  // Auto-paused: the kitchen backlog passed its threshold. A separate code because clients can say
  // "busy, try again in a few minutes" instead of "paused".
  merchantBusy: () =>
    error('exhausted', 'MERCHANT_BUSY', 'the kitchen is at capacity; new orders resume shortly'),
  menuFull: (max: number) =>
    error('exhausted', 'MENU_FULL', `a menu holds at most ${max} items: remove or reuse one first`),
  itemNotFound: (fields: readonly FieldError[], message = 'menu item not found for this merchant') =>
    error('not_found', 'ITEM_NOT_FOUND', message, bounded(fields)),
  itemUnavailable: (fields: readonly FieldError[]) =>
    error('conflict', 'ITEM_UNAVAILABLE', 'menu item is not available', bounded(fields)),
  stockExhausted: (fields: readonly FieldError[]) =>
    error('exhausted', 'STOCK_EXHAUSTED', 'not enough stock', bounded(fields)),
  // A relative stock change that would take the units left below 0: nothing is changed.
  stockInsufficient: (current: number, removing: number) =>
    error('conflict', 'STOCK_INSUFFICIENT', `only ${current} left: cannot remove ${removing}`, [
      { field: 'add', message: `at most ${current} can be removed now` },
    ]),
  // The stock was not the figure the caller based its absolute write on: orders took units since.
  stockChanged: (current: number, expected: number) =>
    error(
      'conflict',
      'STOCK_CHANGED',
      `the stock is ${current} now, not ${expected}: nothing was changed; restock with add, or read it again`,
      [{ field: 'expected_stock', message: `is ${current} now` }],
    ),
  // The request id of a recorded stock change, sent again with another change (the gateway's
  // IDEMPOTENCY_KEY_REUSED for one Idempotency-Key on two different bodies).
  idempotencyKeyReused: () =>
    error(
      'conflict',
      'IDEMPOTENCY_KEY_REUSED',
      'this request id was used for another stock change; use a new one for a new change',
    ),
  currencyMismatch: (fields: readonly FieldError[]) =>
    error('invalid', 'CURRENCY_MISMATCH', "prices must be in the merchant's currency", bounded(fields)),
  // Not 'invalid': the same drop-off is fine for a nearer merchant, or after this one widens its area.
  outOfDeliveryArea: (distanceM: number, radiusM: number) =>
    error(
      'conflict',
      'OUT_OF_DELIVERY_AREA',
      `the merchant delivers within ${radiusM} m; the drop-off is ${Math.round(distanceM)} m away`,
      [{ field: 'dropoff', message: `is outside the merchant's delivery area (${radiusM} m)` }],
    ),
  orderNotFound: (orderId: string) =>
    error('not_found', 'ORDER_NOT_FOUND', `order ${orderId} not found for this merchant`),
  reservationReleased: (orderId: string) =>
    error(
      'conflict',
      'RESERVATION_RELEASED',
      `the reservation of order ${orderId} was released; place the order under a new id`,
    ),
  reservationMismatch: (orderId: string) =>
    error(
      'conflict',
      'RESERVATION_MISMATCH',
      `order ${orderId} was already reserved with other lines or another merchant`,
    ),
} as const;

export const field = (name: string, message: string): FieldError => ({ field: name, message });
