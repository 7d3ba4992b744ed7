import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { codedError, err } from '@mealpeak/core';
import { stockRequestIdFor } from '../src/app/stock-request-id.ts';
import { createHarness, type Harness } from './support/harness.ts';

/** The merchant's menu edits and incoming-order list over fake services: what the gateway passes on. */

let h: Harness;
beforeEach(async () => {
  h = await createHarness();
  h.backend.addMerchant('m-1'); // i-1 with 10 units left
});
afterEach(() => h.close());

const asMerchant = { as: ['merchant', 'm-1'] as ['merchant', string] };
const dish = { name: 'Pho', price: { amountMinor: 1390, currency: 'EUR' }, available: true };

describe('stock', () => {
  const stock = (payload: object, headers: Record<string, string> = {}) =>
    h.call({ method: 'PUT', url: '/v1/merchant/menu/items/i-1/stock', payload, headers, ...asMerchant });

  it('adds and removes units relatively, and refuses to go below 0 with 409 naming add', async () => {
    expect((await stock({ add: 5 })).json()).toMatchObject({ id: 'i-1', stock: 15 });
    expect((await stock({ add: -3 })).json()).toMatchObject({ stock: 12 });
    const short = await stock({ add: -13 });
    expect(short.statusCode).toBe(409);
    expect(short.json()).toMatchObject({
      code: 'STOCK_INSUFFICIENT',
      message: 'only 12 left: cannot remove 13',
      fields: [{ field: 'add' }],
    });
  });

  it('replays an add retried with the same Idempotency-Key instead of adding twice', async () => {
    const key = { 'idempotency-key': 'restock-1' };
    expect((await stock({ add: 5 }, key)).json()).toMatchObject({ stock: 15 });
    expect((await stock({ add: 5 }, key)).json()).toMatchObject({ stock: 15 });
    expect((await stock({ add: 0 })).json()).toMatchObject({ stock: 15 });
  });

  it('applies an add once when its retry follows a 504 that released the key (adr/0022)', async () => {
    const port = h.backend.merchantPort;
    const real = port.setStock.bind(port);
    const sent: (string | undefined)[] = [];
    let late = true;
    // The merchant service applied the add, but its answer came too late: the gateway says 504
    // and keeps nothing for the key, so the retry runs again.
    port.setStock = async (merchantId, itemId, change, ctx) => {
      sent.push(change.requestId);
      const res = await real(merchantId, itemId, change, ctx);
      if (!late) return res;
      late = false;
      return err(codedError('timeout', 'GRPC_DEADLINE_EXCEEDED', 'deadline exceeded'));
    };
    const key = { 'idempotency-key': 'restock-42' };
    expect((await stock({ add: 5 }, key)).statusCode).toBe(504);
    const retry = await stock({ add: 5 }, key);
    expect(retry.statusCode).toBe(200);
    expect(retry.json()).toMatchObject({ stock: 15 });
    expect(h.backend.merchants.get('m-1')!.menu[0]!.stock).toBe(15);
    // Derived from merchant, item and key; without a key there is none (an add is not safe to retry).
    expect(sent[0]).toBe(stockRequestIdFor('m-1', 'i-1', 'restock-42'));
    expect(sent[1]).toBe(sent[0]);
    await stock({ add: 1 });
    expect(sent[2]).toBeUndefined();
  });

  it('sets the units left only if they are still expectedStock, else 409 STOCK_CHANGED', async () => {
    const changed = await stock({ stock: 20, expectedStock: 7 });
    expect(changed.statusCode).toBe(409);
    expect(changed.json()).toMatchObject({ code: 'STOCK_CHANGED', fields: [{ field: 'expectedStock' }] });
    expect((await stock({ stock: 20, expectedStock: 10 })).json()).toMatchObject({ stock: 20 });
    expect((await stock({ stock: 4 })).json()).toMatchObject({ stock: 4 });
  });

  it.each([
    [{}, 'stock'],
    [{ stock: 1, add: 1 }, 'add'],
    [{ add: 1, expectedStock: 10 }, 'expectedStock'],
    [{ add: 1.5 }, 'add'],
  ])('answers 400 naming the field for %j', async (payload, field) => {
    const res = await stock(payload);
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'VALIDATION_FAILED', fields: [{ field }] });
  });
});

describe('menu items', () => {
  it('replaces an item without touching its stock when the body leaves stock out', async () => {
    const res = await h.call({
      method: 'PUT',
      url: '/v1/merchant/menu/items/i-1',
      payload: dish,
      ...asMerchant,
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ id: 'i-1', price: { amountMinor: 1390 }, stock: 10 });
    // Given, it sets the units left, as PUT …/stock does.
    const set = await h.call({
      method: 'PUT',
      url: '/v1/merchant/menu/items/i-1',
      payload: { ...dish, stock: 3 },
      ...asMerchant,
    });
    expect(set.json()).toMatchObject({ stock: 3 });
  });

  it('still needs the stock to create an item', async () => {
    const res = await h.call({
      method: 'POST',
      url: '/v1/merchant/menu/items',
      payload: dish,
      ...asMerchant,
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'VALIDATION_FAILED', fields: [{ field: 'stock' }] });
  });
});

describe('one menu item', () => {
  it('answers where a new item’s Location points', async () => {
    const created = await h.call({
      method: 'POST',
      url: '/v1/merchant/menu/items',
      payload: { ...dish, stock: 4 },
      ...asMerchant,
    });
    expect(created.statusCode).toBe(201);
    const location = created.headers.location as string;
    const read = await h.call({ method: 'GET', url: location, ...asMerchant });
    expect(read.statusCode, read.body).toBe(200);
    expect(read.json()).toEqual(created.json());
  });

  it('is 404 ITEM_NOT_FOUND for another merchant’s item, exactly as for an unknown id', async () => {
    h.backend.addMerchant('m-2', ['i-of-m2']);
    const get = (id: string) =>
      h.call({ method: 'GET', url: `/v1/merchant/menu/items/${id}`, ...asMerchant });
    const foreign = await get('i-of-m2');
    const unknown = await get('i-404');
    expect(foreign.statusCode).toBe(404);
    const { requestId: _a, ...foreignBody } = foreign.json<Record<string, unknown>>();
    const { requestId: _b, ...unknownBody } = unknown.json<Record<string, unknown>>();
    expect(foreignBody).toMatchObject({ code: 'ITEM_NOT_FOUND', fields: [{ field: 'itemId' }] });
    expect(unknownBody).toEqual(foreignBody);
  });
});

describe('incoming orders', () => {
  const list = (query: string) =>
    h.call({ method: 'GET', url: `/v1/merchant/orders?state=PLACED${query}`, ...asMerchant });

  it('lists oldest first on request (the next to time out on top), newest first by default', async () => {
    const ids = ['0190f3c1-0000-7000-8000-00000000000a', '0190f3c1-0000-7000-8000-00000000000b'];
    for (const id of ids) h.backend.addOrder({ id, customerId: 'c-1', merchantId: 'm-1' });
    const newest = (await list('')).json().orders.map((o: { id: string }) => o.id);
    const oldest = (await list('&sort=oldest')).json().orders.map((o: { id: string }) => o.id);
    expect(newest).toHaveLength(2);
    expect(oldest).toEqual([...newest].reverse());
    expect((await list('&sort=newest')).json().orders.map((o: { id: string }) => o.id)).toEqual(newest);
  });

  it('names the field of an unknown sort', async () => {
    const res = await list('&sort=priority');
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'VALIDATION_FAILED', fields: [{ field: 'sort' }] });
  });
});
