import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unwrap } from '@mealpeak/core';
import { itemInput, merchantInput } from '../src/app/test-support/fixtures.ts';
import type { UseCases } from '../src/app/use-cases.ts';
import { createMerchantDb, type MerchantDb } from './support.ts';

describe('the restaurant stored with a reservation (PostgreSQL)', () => {
  let mdb: MerchantDb;
  let uc: UseCases;
  const lines = [{ itemId: 'dish', quantity: 1 }];
  const reserve = (orderId: string) => uc.reserveStock({ orderId, merchantId: 'm1', lines });
  const move = () =>
    uc.upsertMerchant(
      merchantInput({
        name: 'Curry Kreuzberg',
        location: { lat: 52.4935, lng: 13.388 },
        address: 'Mehringdamm 36, 10961 Berlin',
      }),
    );

  beforeAll(async () => {
    mdb = await createMerchantDb(4);
    uc = mdb.service().service.useCases;
    unwrap(await uc.upsertMerchant(merchantInput()));
    unwrap(await uc.upsertMenuItem(itemInput('dish', { stock: 10 })));
  });
  afterAll(async () => {
    await mdb?.close();
  });

  it('is replayed with the location after the merchant moved', async () => {
    const first = unwrap(await reserve('o-moved'));
    unwrap(await move());
    const again = unwrap(await reserve('o-moved'));
    expect(again).toMatchObject({
      location: { lat: 52.52, lng: 13.405 },
      merchantName: 'Curry Mitte',
      pickupAddress: 'Rosenthaler Straße 1, 10119 Berlin',
    });
    expect(again).toEqual(first);
    const { rows } = await mdb.pool.query(
      'SELECT merchant_name, pickup_address FROM reservations WHERE order_id = $1',
      ['o-moved'],
    );
    expect(rows).toEqual([
      { merchant_name: 'Curry Mitte', pickup_address: 'Rosenthaler Straße 1, 10119 Berlin' },
    ]);
  });

  it('of a reservation from before the columns (NULL) is the merchant as it is now', async () => {
    unwrap(await uc.upsertMerchant(merchantInput()));
    unwrap(await reserve('o-old'));
    await mdb.pool.query(
      'UPDATE reservations SET merchant_name = NULL, pickup_address = NULL WHERE order_id = $1',
      ['o-old'],
    );
    unwrap(await move());
    expect(unwrap(await reserve('o-old'))).toMatchObject({
      location: { lat: 52.52, lng: 13.405 },
      merchantName: 'Curry Kreuzberg',
      pickupAddress: 'Mehringdamm 36, 10961 Berlin',
    });
  });
});
