import { unwrap } from '@mealpeak/core';
import type { MerchantStore } from '../ports.ts';
import type { UseCases } from '../use-cases.ts';

/**
 * The retention scenario, on merchant m1 and its item 'burger': an order still cooking, one
 * ready, one tentative, and the released ones given; one unit each.
 */
export async function seedFinishedWork(
  uc: UseCases,
  store: MerchantStore,
  released: readonly string[],
): Promise<void> {
  const line = [{ itemId: 'burger', quantity: 1 }];
  for (const id of ['cooking', 'ready', 'tentative', ...released])
    unwrap(await uc.reserveStock({ orderId: id, merchantId: 'm1', lines: line }));
  await store.repo.confirmPlaced('merchant', [
    { eventId: '0190f3c1-0000-7000-8000-000000000001', orderId: 'cooking' },
    { eventId: '0190f3c1-0000-7000-8000-000000000002', orderId: 'ready' },
  ]);
  await store.repo.saveKitchenOrder({ orderId: 'cooking', merchantId: 'm1', state: 'accepted', version: 2 });
  await store.repo.saveKitchenOrder({ orderId: 'ready', merchantId: 'm1', state: 'ready', version: 3 });
  for (const id of released) unwrap(await uc.releaseStock({ orderId: id, reason: 'MERCHANT_REJECTED' }));
}
