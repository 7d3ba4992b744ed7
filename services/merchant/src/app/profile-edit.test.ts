import { beforeEach, describe, expect, it } from 'vitest';
import { unwrap } from '@mealpeak/core';
import type { ProfileChange } from '../domain/profile-change.ts';
import { createInMemoryStore, type InMemoryStore } from './test-support/in-memory-store.ts';
import { itemInput, merchantInput, testDeps } from './test-support/fixtures.ts';
import { createUseCases, type UseCases } from './use-cases.ts';

describe('a merchant editing its own profile', () => {
  let store: InMemoryStore;
  let uc: UseCases;

  beforeEach(async () => {
    store = createInMemoryStore();
    uc = createUseCases(testDeps(store).deps);
    // Capacity 2, base 10 min, auto-pause at 4, open 10:00-22:00 in Berlin (it is Monday noon).
    unwrap(await uc.upsertMerchant(merchantInput()));
    unwrap(await uc.upsertMenuItem(itemInput('burger', { stock: 100 })));
  });

  const stored = async () => (await store.repo.getMerchant('m1'))!;
  const edit = (change: ProfileChange, merchantId = 'm1') =>
    uc.updateMerchantProfile({ merchantId, ...change });

  it.each<[string, ProfileChange, object?]>([
    ['name', { name: 'Curry Kreuzberg' }],
    ['address', { address: 'Mehringdamm 36, 10961 Berlin' }],
    ['timeZone', { timeZone: 'Europe/Lisbon' }],
    ['openingHours', { openingHours: [{ dayOfWeek: 0, openMinute: 480, closeMinute: 900 }] }],
    // Capacity 2 with auto-pause at 4 becomes 5 with auto-pause at 10 (the same multiple).
    ['kitchenCapacity', { kitchenCapacity: 5 }, { autoPauseBacklog: 10 }],
    ['basePrepSeconds', { basePrepSeconds: 900 }],
  ])(
    'changes %s alone and leaves every other field, the status and the menu as they were',
    async (_f, change, follows = {}) => {
      unwrap(await uc.setMerchantStatus({ merchantId: 'm1', status: 'PAUSED' }));
      const before = await stored();
      const { merchant, menu } = unwrap(await edit(change));
      expect(await stored()).toEqual({ ...before, ...change, ...follows });
      expect(merchant).toMatchObject({ ...before, ...change, ...follows, status: 'PAUSED' });
      expect(menu.map((i) => [i.id, i.stock])).toEqual([['burger', 100]]);
    },
  );

  it('changes several fields at once', async () => {
    const before = await stored();
    unwrap(await edit({ name: 'Curry 36', kitchenCapacity: 3, basePrepSeconds: 480 }));
    expect(await stored()).toEqual({
      ...before,
      name: 'Curry 36',
      kitchenCapacity: 3,
      basePrepSeconds: 480,
      autoPauseBacklog: 6,
    });
  });

  it('carries the auto-pause threshold with a new capacity, as the same multiple; off stays off', async () => {
    // A kitchen that doubles its staff at lunch is not paused at half a round of work.
    expect(unwrap(await edit({ kitchenCapacity: 8 })).merchant.autoPauseBacklog).toBe(16);
    expect(unwrap(await edit({ kitchenCapacity: 3 })).merchant.autoPauseBacklog).toBe(6);
    // The same capacity again changes nothing; at least 1 however small the ratio.
    expect(unwrap(await edit({ kitchenCapacity: 3 })).merchant.autoPauseBacklog).toBe(6);
    unwrap(await uc.upsertMerchant(merchantInput({ kitchenCapacity: 1000, autoPauseBacklog: 1 })));
    expect(unwrap(await edit({ kitchenCapacity: 1 })).merchant.autoPauseBacklog).toBe(1);
    unwrap(await uc.upsertMerchant(merchantInput({ kitchenCapacity: 2, autoPauseBacklog: 0 })));
    expect(unwrap(await edit({ kitchenCapacity: 10 })).merchant.autoPauseBacklog).toBe(0);
  });

  it('stores a time zone as Intl names it, from an edit and from UpsertMerchant alike', async () => {
    expect(unwrap(await edit({ timeZone: 'europe/LISBON' })).merchant.timeZone).toBe('Europe/Lisbon');
    expect((await stored()).timeZone).toBe('Europe/Lisbon');
    unwrap(await uc.upsertMerchant(merchantInput({ timeZone: 'EUROPE/berlin' })));
    expect((await stored()).timeZone).toBe('Europe/Berlin');
  });

  it('trims the address as UpsertMerchant does, and "" clears it', async () => {
    unwrap(await edit({ address: '  Torstraße 12 ' }));
    expect((await stored()).address).toBe('Torstraße 12');
    unwrap(await edit({ address: '' }));
    expect((await stored()).address).toBe('');
  });

  it('takes new opening hours at once: no windows is never open', async () => {
    expect(unwrap(await edit({ openingHours: [] })).merchant.status).toBe('CLOSED');
    const lunch = [{ dayOfWeek: 0, openMinute: 690, closeMinute: 840 }]; // Monday 11:30-14:00
    expect(unwrap(await edit({ openingHours: lunch })).merchant.status).toBe('OPEN');
    // The same wall-clock hours in a zone where it is 11:00 now: before opening.
    expect(unwrap(await edit({ timeZone: 'Europe/London' })).merchant.status).toBe('CLOSED');
  });

  it('quotes new orders with the new kitchen at once; a reservation already made keeps its copy', async () => {
    let events = 0;
    for (const orderId of ['o1', 'o2']) {
      unwrap(
        await uc.reserveStock({ orderId, merchantId: 'm1', lines: [{ itemId: 'burger', quantity: 1 }] }),
      );
      await uc.applyOrderEvent({
        eventId: `00000000-0000-4000-8000-${String(++events).padStart(12, '0')}`,
        snapshot: { orderId, merchantId: 'm1', state: 'PLACED', version: 1 },
        reason: '',
      });
    }
    // Two waiting in a kitchen of 2: a new order waits a round.
    expect(unwrap(await uc.getMerchant('m1')).merchant.prepEstimateSeconds).toBe(1200);
    const edited = unwrap(await edit({ kitchenCapacity: 4, name: 'Curry 36', address: 'Mehringdamm 36' }));
    expect(edited.merchant).toMatchObject({ backlog: 2, prepEstimateSeconds: 600 });
    const reserve = (orderId: string) =>
      uc.reserveStock({ orderId, merchantId: 'm1', lines: [{ itemId: 'burger', quantity: 1 }] });
    expect(unwrap(await reserve('o3'))).toMatchObject({
      prepEstimateSeconds: 600,
      merchantName: 'Curry 36',
      pickupAddress: 'Mehringdamm 36',
    });
    // ADR 0021: an order placed before the change keeps the restaurant it was placed with.
    expect(unwrap(await reserve('o1'))).toMatchObject({
      prepEstimateSeconds: 600,
      merchantName: 'Curry Mitte',
      pickupAddress: 'Rosenthaler Straße 1, 10119 Berlin',
    });
  });

  it.each<[ProfileChange, string]>([
    [{ name: ' ' }, 'name'],
    [{ name: 'x'.repeat(201) }, 'name'],
    [{ address: 'Torstraße 12\n10119 Berlin' }, 'address'],
    [{ timeZone: '+01:00' }, 'time_zone'],
    [
      { openingHours: [{ dayOfWeek: 7, openMinute: 600, closeMinute: 1320 }] },
      'opening_hours[0].day_of_week',
    ],
    [
      { openingHours: [{ dayOfWeek: 1, openMinute: 600, closeMinute: 600 }] },
      'opening_hours[0].close_minute',
    ],
    [{ kitchenCapacity: 0 }, 'kitchen_capacity'],
    [{ kitchenCapacity: 1001 }, 'kitchen_capacity'],
    [{ basePrepSeconds: 0 }, 'base_prep_seconds'],
    [{ basePrepSeconds: 14_401 }, 'base_prep_seconds'],
  ])('refuses %j as INVALID_ARGUMENT naming %s, and changes nothing', async (change, fieldName) => {
    const before = await stored();
    // With a valid name beside it (unless the name is the bad field): that is not written either.
    const res = await edit({ name: 'Fine name', ...change });
    expect(res).toMatchObject({
      ok: false,
      error: { kind: 'invalid', code: 'INVALID_ARGUMENT', fields: [{ field: fieldName }] },
    });
    expect(await stored()).toEqual(before);
  });

  it('refuses an edit that changes nothing, and a bad merchant id', async () => {
    expect(await edit({})).toMatchObject({
      ok: false,
      error: {
        code: 'INVALID_ARGUMENT',
        message:
          'nothing to change: give at least one of name, address, time_zone, opening_hours, kitchen_capacity, base_prep_seconds',
      },
    });
    expect(await edit({ name: 'x' }, 'a b')).toMatchObject({
      ok: false,
      error: { code: 'INVALID_ARGUMENT', fields: [{ field: 'merchant_id' }] },
    });
  });

  it('is MERCHANT_NOT_FOUND for an unknown merchant, and creates none', async () => {
    expect(await edit({ name: 'Ghost Kitchen' }, 'nobody')).toMatchObject({
      ok: false,
      error: { kind: 'not_found', code: 'MERCHANT_NOT_FOUND' },
    });
    expect(await store.repo.getMerchant('nobody')).toBeUndefined();
  });
});
