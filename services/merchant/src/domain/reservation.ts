import { Errors, field, type FieldError, type MerchantError } from './errors.ts';
import { err, ok, type Result } from '@mealpeak/core';
import type { MenuItem, OrderState } from './types.ts';

export const MAX_LINES = 50;
export const MAX_QUANTITY = 999;

export interface LineInput {
  readonly itemId: string;
  readonly quantity: number;
}

export interface PricedLine {
  readonly itemId: string;
  readonly name: string;
  readonly quantity: number;
  readonly unitPriceMinor: number;
  readonly lineTotalMinor: number;
}

export interface PricedOrder {
  readonly lines: readonly PricedLine[];
  readonly totalMinor: number;
  readonly currency: string;
}

/** tentative (held, order not yet seen) -> confirmed (order placed) -> released (stock back). */
export type ReservationState = 'tentative' | 'confirmed' | 'released';

/**
 * Checks the lines of a reservation against the merchant's menu and prices them server-side.
 * `items` may hold any items found by id; one of another merchant counts as not found (we do not
 * reveal other menus). Stock is not checked here: the store decrements it atomically, and reports
 * the lines it could not take (see stockExhausted).
 */
export function priceLines(
  merchantId: string,
  currency: string,
  lines: readonly LineInput[],
  items: ReadonlyMap<string, MenuItem>,
): Result<PricedOrder, MerchantError> {
  const invalid = validateLines(lines);
  if (invalid.length > 0) return err(Errors.invalidArgument(invalid));
  const missing: number[] = [];
  const unavailable: FieldError[] = [];
  const wrongCurrency: FieldError[] = [];
  lines.forEach((line, i) => {
    const item = items.get(line.itemId);
    if (!item || item.merchantId !== merchantId) missing.push(i);
    else if (!item.available) unavailable.push(field(`lines[${i}].item_id`, `${item.name} is unavailable`));
    else if (item.currency !== currency)
      wrongCurrency.push(field(`lines[${i}].item_id`, `${item.name} is priced in ${item.currency}`));
  });
  if (missing.length > 0) return err(notOnMenu(lines, missing));
  if (unavailable.length > 0) return err(Errors.itemUnavailable(unavailable));
  if (wrongCurrency.length > 0) return err(Errors.currencyMismatch(wrongCurrency));

  const priced = lines.map((line): PricedLine => {
    const item = items.get(line.itemId)!;
    return {
      itemId: item.id,
      name: item.name,
      quantity: line.quantity,
      unitPriceMinor: item.priceMinor,
      lineTotalMinor: item.priceMinor * line.quantity,
    };
  });
  const totalMinor = priced.reduce((sum, l) => sum + l.lineTotalMinor, 0);
  if (!Number.isSafeInteger(totalMinor))
    return err(Errors.invalidArgument([field('lines', 'total too large')]));
  return ok({ lines: priced, totalMinor, currency });
}

/** Longest item id quoted back: ids come from the client. */
const MAX_QUOTED_ID = 64;

/**
 * Names the first unknown item and counts the rest: repeating every id the client sent made the
 * answer (and the gateway's stored copy of it) grow with the order. Fields name the lines.
 */
function notOnMenu(lines: readonly LineInput[], missing: readonly number[]): MerchantError {
  const first = lines[missing[0] ?? 0]?.itemId ?? '';
  const quoted = first.length > MAX_QUOTED_ID ? `${first.slice(0, MAX_QUOTED_ID)}…` : first;
  const others = missing.length - 1;
  const message = `item ${quoted} is not on this menu${others > 0 ? `, nor are ${others} more of the order's items` : ''}`;
  return Errors.itemNotFound(
    missing.map((i) => field(`lines[${i}].item_id`, 'is not on this menu')),
    message,
  );
}

function validateLines(lines: readonly LineInput[]): FieldError[] {
  if (lines.length === 0) return [field('lines', 'at least one line is required')];
  if (lines.length > MAX_LINES) return [field('lines', `at most ${MAX_LINES} lines`)];
  const problems: FieldError[] = [];
  const seen = new Set<string>();
  lines.forEach((line, i) => {
    if (line.itemId.trim() === '') problems.push(field(`lines[${i}].item_id`, 'is required'));
    else if (seen.has(line.itemId))
      problems.push(field(`lines[${i}].item_id`, 'appears twice; use one line with the total quantity'));
    seen.add(line.itemId);
    if (!Number.isInteger(line.quantity) || line.quantity < 1)
      problems.push(field(`lines[${i}].quantity`, 'must be at least 1'));
    else if (line.quantity > MAX_QUANTITY)
      problems.push(field(`lines[${i}].quantity`, `must be at most ${MAX_QUANTITY}`));
  });
  return problems;
}

/** The error for lines whose stock ran out, by their index in the request. */
export function stockExhausted(lineIndexes: readonly number[]): MerchantError {
  return Errors.stockExhausted(
    lineIndexes.map((i) => field(`lines[${i}].quantity`, 'not enough stock left for this quantity')),
  );
}

/** Whether a repeated ReserveStock asks for the same thing as the reservation it finds. */
export function sameRequest(
  reserved: { merchantId: string; lines: readonly { itemId: string; quantity: number }[] },
  merchantId: string,
  lines: readonly LineInput[],
): boolean {
  const key = (ls: readonly { itemId: string; quantity: number }[]) =>
    ls
      .map((l) => `${l.itemId}\u0000${l.quantity}`)
      .sort()
      .join('\u0001');
  return reserved.merchantId === merchantId && key(reserved.lines) === key(lines);
}

/**
 * What the sweeper does with a tentative reservation past reserved_until, given the order service's
 * answer (undefined: no such order). ADR 0006 step 4: release when no order holds the stock.
 */
export function sweepDecision(order: { state: OrderState } | undefined): 'confirm' | 'release' {
  if (!order) return 'release';
  return order.state === 'REJECTED' || order.state === 'CANCELLED' ? 'release' : 'confirm';
}

/** Lines in item-id order: every transaction locks item rows in this order, so none deadlock. */
export const inLockOrder = <L extends { itemId: string }>(lines: readonly L[]): L[] =>
  [...lines].sort((a, b) => (a.itemId < b.itemId ? -1 : a.itemId > b.itemId ? 1 : 0));
