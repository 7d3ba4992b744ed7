import { createLogger } from '@mealpeak/telemetry';
import type { UseCaseDeps } from '../deps.ts';
import type { MerchantStore } from '../ports.ts';
import type { UpsertMerchantInput } from '../catalogue.ts';
import { createFakeOrderService, type FakeOrderService } from './fake-order-service.ts';

/** Monday 2026-11-23 12:00 in Berlin: inside 10:00-22:00. */
export const MONDAY_NOON_BERLIN = new Date('2026-11-23T11:00:00Z');

export interface TestClock {
  now(): Date;
  set(at: Date): void;
  advance(ms: number): void;
}

export function createTestClock(start: Date = MONDAY_NOON_BERLIN): TestClock {
  let at = start.getTime();
  return {
    now: () => new Date(at),
    set: (d) => void (at = d.getTime()),
    advance: (ms) => void (at += ms),
  };
}

export function testDeps(
  store: MerchantStore,
  overrides: { orders?: FakeOrderService; clock?: TestClock } = {},
) {
  let next = 0;
  const orders = overrides.orders ?? createFakeOrderService();
  const clock = overrides.clock ?? createTestClock();
  const deps: UseCaseDeps = {
    store,
    orders,
    clock,
    ids: { newId: () => `generated-${++next}` },
    logger: createLogger({ service: 'merchant-test', level: 'silent' }),
    settings: { reservationTtlSeconds: 120, sweepRetryMs: 30_000 },
  };
  return { deps, orders, clock };
}

export const TEN_TO_TEN = Array.from({ length: 7 }, (_, d) => ({
  dayOfWeek: d,
  openMinute: 600,
  closeMinute: 1320,
}));

export const merchantInput = (over: Partial<UpsertMerchantInput> = {}): UpsertMerchantInput => ({
  id: 'm1',
  name: 'Curry Mitte',
  location: { lat: 52.52, lng: 13.405 },
  timeZone: 'Europe/Berlin',
  openingHours: TEN_TO_TEN,
  kitchenCapacity: 2,
  autoPauseBacklog: 4,
  basePrepSeconds: 600,
  currency: 'EUR',
  deliveryRadiusM: 5_000,
  address: 'Rosenthaler Straße 1, 10119 Berlin',
  ...over,
});

export const itemInput = (
  id: string,
  over: { merchantId?: string; stock?: number; available?: boolean; priceMinor?: number } = {},
) => ({
  merchantId: over.merchantId ?? 'm1',
  itemId: id,
  name: `Dish ${id}`,
  description: '',
  price: { amountMinor: over.priceMinor ?? 900, currency: 'EUR' },
  stock: over.stock ?? 10,
  available: over.available ?? true,
});
