import { beforeEach, describe, expect, it } from 'vitest';
import { unwrap } from '@mealpeak/core';
import { createInMemoryStore, type InMemoryStore } from './test-support/in-memory-store.ts';
import { itemInput, merchantInput, testDeps, type TestClock } from './test-support/fixtures.ts';
import { createUseCases, type UseCases } from './use-cases.ts';

describe('merchants, menus and status', () => {
  let store: InMemoryStore;
  let uc: UseCases;
  let clock: TestClock;

  beforeEach(async () => {
    store = createInMemoryStore();
    const t = testDeps(store);
    clock = t.clock;
    uc = createUseCases(t.deps);
    unwrap(await uc.upsertMerchant(merchantInput()));
  });

  it('creates a merchant open, with an idle kitchen, and returns it with its menu', async () => {
    unwrap(await uc.upsertMenuItem(itemInput('b-item')));
    unwrap(await uc.upsertMenuItem(itemInput('a-item')));
    const { merchant, menu } = unwrap(await uc.getMerchant('m1'));
    expect(merchant).toMatchObject({
      status: 'OPEN',
      backlog: 0,
      prepEstimateSeconds: 600,
      manualStatus: 'OPEN',
    });
    expect(menu.map((i) => i.id)).toEqual(['a-item', 'b-item']); // by name
    expect(await uc.getMerchant('nobody')).toMatchObject({
      ok: false,
      error: { code: 'MERCHANT_NOT_FOUND' },
    });
  });

  it('caps a menu: a new item beyond the limit is MENU_FULL, changing an existing one is not', async () => {
    const t = testDeps(store);
    const capped = createUseCases({ ...t.deps, settings: { ...t.deps.settings, maxMenuItems: 2 } });
    unwrap(await capped.upsertMenuItem(itemInput('one')));
    unwrap(await capped.upsertMenuItem(itemInput('two')));
    expect(await capped.upsertMenuItem(itemInput('three'))).toMatchObject({
      ok: false,
      error: { kind: 'exhausted', code: 'MENU_FULL' },
    });
    expect(await capped.upsertMenuItem(itemInput(''))).toMatchObject({
      ok: false,
      error: { code: 'MENU_FULL' },
    });
    expect(unwrap(await capped.upsertMenuItem(itemInput('two', { stock: 99 }))).stock).toBe(99);
    // Another merchant's menu has room of its own.
    unwrap(await capped.upsertMerchant(merchantInput({ id: 'm2' })));
    unwrap(await capped.upsertMenuItem(itemInput('m2-one', { merchantId: 'm2' })));
  });

  it('keeps the address when a profile arrives without one (an older caller), clears it on ""', async () => {
    expect(unwrap(await uc.getMerchant('m1')).merchant.address).toBe('Rosenthaler Straße 1, 10119 Berlin');
    unwrap(await uc.upsertMerchant(merchantInput({ name: 'Curry Mitte II', address: undefined })));
    expect(unwrap(await uc.getMerchant('m1')).merchant).toMatchObject({
      name: 'Curry Mitte II',
      address: 'Rosenthaler Straße 1, 10119 Berlin',
    });
    unwrap(await uc.upsertMerchant(merchantInput({ address: '' })));
    expect(unwrap(await uc.getMerchant('m1')).merchant.address).toBe('');
    // A merchant created without one has none.
    expect(unwrap(await uc.upsertMerchant(merchantInput({ id: 'm2', address: undefined }))).address).toBe('');
  });

  it('keeps status and backlog when the profile is replaced', async () => {
    unwrap(await uc.setMerchantStatus({ merchantId: 'm1', status: 'PAUSED' }));
    const updated = unwrap(
      await uc.upsertMerchant(merchantInput({ name: 'Curry Mitte II', kitchenCapacity: 6 })),
    );
    expect(updated).toMatchObject({ name: 'Curry Mitte II', kitchenCapacity: 6, manualStatus: 'PAUSED' });
  });

  it('refuses an invalid profile, naming the fields', async () => {
    expect(
      await uc.upsertMerchant(merchantInput({ timeZone: 'Nowhere/City', location: undefined })),
    ).toMatchObject({
      ok: false,
      error: {
        code: 'INVALID_ARGUMENT',
        message: 'location: is required; time_zone: must be an IANA time zone',
        fields: [{ field: 'location' }, { field: 'time_zone' }],
      },
    });
  });

  it('refuses to change the currency of a merchant whose menu is priced in another', async () => {
    unwrap(await uc.upsertMenuItem(itemInput('x')));
    expect(await uc.upsertMerchant(merchantInput({ currency: 'CNY' }))).toMatchObject({
      ok: false,
      error: { code: 'CURRENCY_MISMATCH', fields: [{ field: 'currency' }] },
    });
  });

  it('pauses at once when a new threshold is below the current backlog', async () => {
    await store.repo.updateControl('m1', { manualStatus: 'OPEN', autoPaused: false, backlog: 0 });
    await store.repo.saveKitchenOrder({ orderId: 'o1', merchantId: 'm1', state: 'accepted', version: 2 });
    await store.repo.saveKitchenOrder({ orderId: 'o2', merchantId: 'm1', state: 'accepted', version: 2 });
    const merchant = unwrap(await uc.upsertMerchant(merchantInput({ autoPauseBacklog: 2 })));
    expect(merchant).toMatchObject({ backlog: 2, status: 'AUTO_PAUSED' });
    expect(store.events().map((e) => e.to)).toEqual(['AUTO_PAUSED']);
  });

  describe('menu items', () => {
    it('creates an item with a new id when none is given, and updates it by id', async () => {
      const created = unwrap(await uc.upsertMenuItem(itemInput('')));
      expect(created.id).toBe('generated-1');
      const updated = unwrap(
        await uc.upsertMenuItem({ ...itemInput(created.id), name: 'Renamed', stock: 3 }),
      );
      expect(updated).toMatchObject({ id: 'generated-1', name: 'Renamed', stock: 3 });
    });

    it('only replaces when asked to: an unknown or foreign id is ITEM_NOT_FOUND, not created', async () => {
      unwrap(await uc.upsertMerchant(merchantInput({ id: 'm2' })));
      unwrap(await uc.upsertMenuItem(itemInput('theirs', { merchantId: 'm2' })));
      for (const id of ['made-up', 'theirs', ''])
        expect(await uc.upsertMenuItem({ ...itemInput(id), replaceOnly: true })).toMatchObject({
          ok: false,
          error: { code: 'ITEM_NOT_FOUND', fields: [{ field: 'item_id' }] },
        });
      expect(await store.repo.getItems(['made-up'])).toEqual([]);
      unwrap(await uc.upsertMenuItem(itemInput('mine')));
      const replaced = unwrap(
        await uc.upsertMenuItem({ ...itemInput('mine', { stock: 7 }), replaceOnly: true }),
      );
      expect(replaced).toMatchObject({ id: 'mine', stock: 7 });
    });

    it("refuses to touch another merchant's item, and unknown merchants", async () => {
      unwrap(await uc.upsertMerchant(merchantInput({ id: 'm2' })));
      unwrap(await uc.upsertMenuItem(itemInput('mine')));
      expect(await uc.upsertMenuItem(itemInput('mine', { merchantId: 'm2' }))).toMatchObject({
        ok: false,
        error: { code: 'ITEM_NOT_FOUND' },
      });
      expect(await uc.setStock({ merchantId: 'm2', itemId: 'mine', stock: 1 })).toMatchObject({
        ok: false,
        error: { code: 'ITEM_NOT_FOUND' },
      });
      expect(await uc.setStock({ merchantId: 'm9', itemId: 'mine', stock: 1 })).toMatchObject({
        ok: false,
        error: { code: 'MERCHANT_NOT_FOUND' },
      });
      expect(await uc.upsertMenuItem(itemInput('new', { merchantId: 'm9' }))).toMatchObject({
        ok: false,
        error: { code: 'MERCHANT_NOT_FOUND' },
      });
      expect(store.item('mine')?.merchantId).toBe('m1');
    });

    it("requires the price in the merchant's currency", async () => {
      expect(
        await uc.upsertMenuItem({ ...itemInput('x'), price: { amountMinor: 100, currency: 'USD' } }),
      ).toMatchObject({
        ok: false,
        error: { code: 'CURRENCY_MISMATCH', fields: [{ field: 'price.currency' }] },
      });
      expect(await uc.upsertMenuItem({ ...itemInput('x'), price: undefined })).toMatchObject({
        ok: false,
        error: { code: 'INVALID_ARGUMENT', fields: [{ field: 'price' }] },
      });
    });

    it('sets stock', async () => {
      unwrap(await uc.upsertMenuItem(itemInput('x', { stock: 1 })));
      expect(unwrap(await uc.setStock({ merchantId: 'm1', itemId: 'x', stock: 40 })).stock).toBe(40);
    });

    it('restocks with add without giving back what an order took since the app read the figure', async () => {
      unwrap(await uc.upsertMenuItem(itemInput('pho', { stock: 10 })));
      // The app shows 10; a customer orders 4 meanwhile; 5 more portions are made.
      unwrap(
        await uc.reserveStock({ orderId: 'o1', merchantId: 'm1', lines: [{ itemId: 'pho', quantity: 4 }] }),
      );
      expect(unwrap(await uc.setStock({ merchantId: 'm1', itemId: 'pho', add: 5 })).stock).toBe(11);
      // Spoilage: a negative add removes units, never below 0 (nothing changes then).
      expect(unwrap(await uc.setStock({ merchantId: 'm1', itemId: 'pho', add: -3 })).stock).toBe(8);
      expect(await uc.setStock({ merchantId: 'm1', itemId: 'pho', add: -9 })).toEqual({
        ok: false,
        error: {
          kind: 'conflict',
          code: 'STOCK_INSUFFICIENT',
          message: 'only 8 left: cannot remove 9',
          fields: [{ field: 'add', message: 'at most 8 can be removed now' }],
        },
      });
      expect(store.item('pho')?.stock).toBe(8);
    });

    it('sets an absolute figure only if it is still the one the app read (expectedStock)', async () => {
      unwrap(await uc.upsertMenuItem(itemInput('pho', { stock: 10 })));
      unwrap(
        await uc.reserveStock({ orderId: 'o1', merchantId: 'm1', lines: [{ itemId: 'pho', quantity: 4 }] }),
      );
      expect(
        await uc.setStock({ merchantId: 'm1', itemId: 'pho', stock: 15, expectedStock: 10 }),
      ).toMatchObject({
        ok: false,
        error: {
          kind: 'conflict',
          code: 'STOCK_CHANGED',
          message: expect.stringContaining('the stock is 6 now, not 10'),
          fields: [{ field: 'expected_stock', message: 'is 6 now' }],
        },
      });
      expect(store.item('pho')?.stock).toBe(6);
      expect(
        unwrap(await uc.setStock({ merchantId: 'm1', itemId: 'pho', stock: 11, expectedStock: 6 })).stock,
      ).toBe(11);
    });

    it('takes exactly one of stock and add, and expectedStock only with stock', async () => {
      unwrap(await uc.upsertMenuItem(itemInput('x', { stock: 1 })));
      const fieldsOf = async (change: { stock?: number; add?: number; expectedStock?: number }) => {
        const r = await uc.setStock({ merchantId: 'm1', itemId: 'x', ...change });
        return r.ok ? [] : [r.error.code, ...(r.error.fields ?? []).map((f) => f.field)];
      };
      expect(await fieldsOf({})).toEqual(['INVALID_ARGUMENT', 'stock']);
      expect(await fieldsOf({ stock: 1, add: 1 })).toEqual(['INVALID_ARGUMENT', 'add']);
      expect(await fieldsOf({ add: 1, expectedStock: 1 })).toEqual(['INVALID_ARGUMENT', 'expected_stock']);
      expect(await fieldsOf({ add: 1.5 })).toEqual(['INVALID_ARGUMENT', 'add']);
      expect(await fieldsOf({ stock: -1 })).toEqual(['INVALID_ARGUMENT', 'stock']);
      expect(await fieldsOf({ add: 2_147_483_647 })).toEqual(['INVALID_ARGUMENT', 'add']); // past the column
      // The API's range (docs/api.md): an add may not leave more than 1 000 000.
      expect(await fieldsOf({ add: 1_000_000 })).toEqual(['INVALID_ARGUMENT', 'add']);
      expect(store.item('x')?.stock).toBe(1);
      expect(unwrap(await uc.setStock({ merchantId: 'm1', itemId: 'x', add: 999_999 })).stock).toBe(
        1_000_000,
      );
    });
  });

  describe('stock changes under a request id (adr/0022)', () => {
    beforeEach(async () => {
      unwrap(await uc.upsertMenuItem(itemInput('pho', { stock: 10 })));
    });

    it('applies an add once: a repeat answers the first result and changes nothing', async () => {
      const restock = { merchantId: 'm1', itemId: 'pho', add: 5, requestId: 'r-1' };
      expect(unwrap(await uc.setStock(restock)).stock).toBe(15);
      // An order takes 4 before the retry: the retry reports what its change left, adds nothing.
      unwrap(
        await uc.reserveStock({ orderId: 'o1', merchantId: 'm1', lines: [{ itemId: 'pho', quantity: 4 }] }),
      );
      expect(unwrap(await uc.setStock(restock))).toMatchObject({ id: 'pho', stock: 15 });
      expect(store.item('pho')?.stock).toBe(11);
      // Another request id is another change.
      expect(unwrap(await uc.setStock({ ...restock, requestId: 'r-2' })).stock).toBe(16);
    });

    it('keeps request ids per merchant: another merchant may use the same id', async () => {
      unwrap(await uc.upsertMerchant(merchantInput({ id: 'm2' })));
      unwrap(await uc.upsertMenuItem(itemInput('ramen', { merchantId: 'm2', stock: 3 })));
      expect(
        unwrap(await uc.setStock({ merchantId: 'm1', itemId: 'pho', add: 5, requestId: 'r-1' })).stock,
      ).toBe(15);
      expect(
        unwrap(await uc.setStock({ merchantId: 'm2', itemId: 'ramen', add: 1, requestId: 'r-1' })).stock,
      ).toBe(4);
      expect([store.item('pho')?.stock, store.item('ramen')?.stock]).toEqual([15, 4]);
    });

    it('refuses the same request id for another change with IDEMPOTENCY_KEY_REUSED', async () => {
      unwrap(await uc.setStock({ merchantId: 'm1', itemId: 'pho', add: 5, requestId: 'r-1' }));
      unwrap(await uc.upsertMenuItem(itemInput('rice', { stock: 3 })));
      for (const other of [
        { add: 6 },
        { itemId: 'rice', add: 5 },
        { stock: 5 },
        { stock: 5, expectedStock: 15 },
      ])
        expect(
          await uc.setStock({ merchantId: 'm1', itemId: 'pho', requestId: 'r-1', ...other }),
        ).toMatchObject({ ok: false, error: { kind: 'conflict', code: 'IDEMPOTENCY_KEY_REUSED' } });
      expect(store.item('pho')?.stock).toBe(15);
      expect(store.item('rice')?.stock).toBe(3);
    });

    it('records no refusal: the same request id may succeed once the stock allows it', async () => {
      const take = { merchantId: 'm1', itemId: 'pho', add: -12, requestId: 'r-1' };
      expect(await uc.setStock(take)).toMatchObject({ ok: false, error: { code: 'STOCK_INSUFFICIENT' } });
      unwrap(await uc.setStock({ merchantId: 'm1', itemId: 'pho', add: 2 }));
      expect(unwrap(await uc.setStock(take)).stock).toBe(0);
      expect(unwrap(await uc.setStock(take)).stock).toBe(0);
      expect(store.item('pho')?.stock).toBe(0);
    });
  });

  describe('merchant status', () => {
    it('lets the merchant pause and reopen, publishing each change', async () => {
      expect(unwrap(await uc.setMerchantStatus({ merchantId: 'm1', status: 'PAUSED' })).status).toBe(
        'PAUSED',
      );
      expect(unwrap(await uc.setMerchantStatus({ merchantId: 'm1', status: 'PAUSED' })).status).toBe(
        'PAUSED',
      );
      expect(unwrap(await uc.setMerchantStatus({ merchantId: 'm1', status: 'OPEN' })).status).toBe('OPEN');
      expect(store.events().map((e) => [e.from, e.to, e.reason])).toEqual([
        ['OPEN', 'PAUSED', 'SET_BY_MERCHANT'],
        ['PAUSED', 'OPEN', 'SET_BY_MERCHANT'],
      ]);
    });

    it.each(['AUTO_PAUSED', 'CLOSED', 'UNSPECIFIED'])(
      'refuses %s: the platform computes it',
      async (status) => {
        expect(await uc.setMerchantStatus({ merchantId: 'm1', status })).toMatchObject({
          ok: false,
          error: { code: 'INVALID_ARGUMENT', fields: [{ field: 'status' }] },
        });
      },
    );

    it('shows CLOSED outside opening hours whatever the merchant chose', async () => {
      clock.set(new Date('2026-11-23T05:00:00Z')); // 06:00 Berlin
      expect(unwrap(await uc.setMerchantStatus({ merchantId: 'm1', status: 'PAUSED' })).status).toBe(
        'CLOSED',
      );
      // The event reports the merchant's change, with the status customers see in the snapshot.
      expect(store.events()[0]).toMatchObject({ from: 'OPEN', to: 'PAUSED', effectiveStatus: 'CLOSED' });
    });
  });
});
