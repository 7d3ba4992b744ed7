import { MerchantServiceClient, MerchantServiceService } from '@mealpeak/contracts/merchant.v1';
import { call, createGrpcClient } from '@mealpeak/grpc';

/** One always-open merchant with stock that never runs out during a benchmark. */
export async function seedBenchMerchant(target: string): Promise<{ merchantId: string; itemIds: string[] }> {
  const client = createGrpcClient(MerchantServiceClient, MerchantServiceService, {
    target,
    defaultDeadlineMs: 5_000,
    idempotent: [],
  });
  const merchantId = 'bench-merchant';
  const everyDay = Array.from({ length: 7 }, (_, d) => ({ dayOfWeek: d, openMinute: 0, closeMinute: 1440 }));
  const m = await call(client.upsertMerchant.bind(client), {
    merchantId,
    name: 'Benchmark Kitchen',
    location: { lat: 31.2286, lng: 121.4545 },
    timeZone: 'Asia/Shanghai',
    openingHours: everyDay,
    kitchenCapacity: 1_000,
    autoPauseBacklog: 0, // never auto-pause during a benchmark
    basePrepSeconds: 600,
    currency: 'CNY',
    deliveryRadiusM: 0, // the default 5 km; the benchmark's drop-off is ~1.8 km away
  });
  if (!m.ok)
    throw new Error(
      `seeding the merchant failed: ${m.error.code} ${JSON.stringify(m.error.fields ?? m.error.message)}`,
    );
  const itemIds: string[] = [];
  for (let i = 0; i < 8; i++) {
    const item = await call(client.upsertMenuItem.bind(client), {
      merchantId,
      itemId: `bench-item-${i}`,
      replaceOnly: false,
      keepStock: false,
      name: `Dish ${i}`,
      description: '',
      price: { amountMinor: 1800 + i * 100, currency: 'CNY' },
      stock: 10_000_000,
      available: true,
    });
    if (!item.ok) throw new Error(`seeding item ${i} failed: ${item.error.code} ${item.error.message}`);
    itemIds.push(item.value.item?.id ?? `bench-item-${i}`);
  }
  client.close();
  return { merchantId, itemIds };
}
