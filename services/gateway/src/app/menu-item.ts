import { codedError, err, ok, type CodedError } from '@mealpeak/core';
import type { MenuItem } from '@mealpeak/contracts/merchant.v1';
import type { CallContext, MerchantPort, Reply } from './ports.ts';

/**
 * "Not an item of this merchant", for an unknown id and another merchant's item alike (ids reveal
 * nothing); the code and field the merchant service answers a PUT to such an item with.
 */
export const ITEM_NOT_FOUND: CodedError = codedError(
  'not_found',
  'ITEM_NOT_FOUND',
  'menu item not found for this merchant',
  [{ field: 'item_id', message: 'not an item of this merchant' }],
);

/**
 * One item of the merchant's own menu. The merchant service has no single-item read, so this reads
 * the menu (GetMerchant, as GET /v1/merchant does) and picks the item: menus are small, and a
 * new RPC would be a contract change for a read the app rarely makes.
 */
export async function getOwnMenuItem(
  merchants: Pick<MerchantPort, 'getMerchant'>,
  merchantId: string,
  itemId: string,
  ctx: CallContext,
): Reply<MenuItem> {
  const res = await merchants.getMerchant(merchantId, ctx);
  if (!res.ok) return res;
  const item = res.value.menu.find((i) => i.id === itemId && i.merchantId === merchantId);
  return item ? ok(item) : err(ITEM_NOT_FOUND);
}
