import { describe, expect, it } from 'vitest';
import { unwrap } from '@mealpeak/core';
import { createInMemoryStore } from './test-support/in-memory-store.ts';
import { testDeps } from './test-support/fixtures.ts';
import { DEMO_CITY_CENTRE, demoMerchantId, seedDemoCity } from './seed.ts';
import { createUseCases } from './use-cases.ts';

describe('demo city seed', () => {
  it('creates 12 open merchants within 3 km of the centre, with 5-8 stocked dishes each, idempotently', async () => {
    const uc = createUseCases(testDeps(createInMemoryStore()).deps);
    const first = await seedDemoCity(uc);
    expect(await seedDemoCity(uc)).toEqual(first);
    expect(first.merchants).toBe(12);

    const page = unwrap(
      await uc.listMerchants({
        near: DEMO_CITY_CENTRE,
        radiusM: 3_000,
        openOnly: true,
        pageSize: 50,
        pageToken: '',
      }),
    );
    expect(page.merchants).toHaveLength(12); // Monday noon in Berlin: all open
    let dishes = 0;
    for (const { merchant } of page.merchants) {
      expect(merchant.autoPauseBacklog).toBe(merchant.kitchenCapacity * 3);
      expect(merchant.address).toMatch(/ \d+, 101\d\d Berlin$/); // riders are told where to go
      const { menu } = unwrap(await uc.getMerchant(merchant.id));
      expect(menu.length).toBeGreaterThanOrEqual(5);
      expect(menu.length).toBeLessThanOrEqual(8);
      expect(menu.every((i) => i.stock === 500 && i.currency === 'EUR' && i.available)).toBe(true);
      dishes += menu.length;
    }
    expect(first.items).toBe(dishes); // the second run added none
    expect(unwrap(await uc.getMerchant(demoMerchantId(1))).merchant.name).toBe(
      'Currywurst am Hackeschen Markt',
    );
  });
});
