import { beforeEach, describe, expect, it } from 'vitest';
import { unwrap } from '@mealpeak/core';
import { parseAddressCsv, setAddresses } from './address-backfill.ts';
import { createInMemoryStore, type InMemoryStore } from './test-support/in-memory-store.ts';
import { itemInput, merchantInput, testDeps } from './test-support/fixtures.ts';
import { createUseCases, type UseCases } from './use-cases.ts';

describe('setting a merchant address on its own', () => {
  let store: InMemoryStore;
  let uc: UseCases;

  beforeEach(async () => {
    store = createInMemoryStore();
    uc = createUseCases(testDeps(store).deps);
    // Onboarded before addresses: UpsertMerchant without the field.
    unwrap(await uc.upsertMerchant(merchantInput({ address: undefined, basePrepSeconds: 720 })));
    unwrap(await uc.upsertMenuItem(itemInput('burger', { stock: 5 })));
  });

  it('sets the address, trimmed, and leaves the rest of the profile and the status as they were', async () => {
    unwrap(await uc.setMerchantStatus({ merchantId: 'm1', status: 'PAUSED' }));
    const before = unwrap(await uc.getMerchant('m1')).merchant;
    expect(before.address).toBe('');
    const after = unwrap(
      await uc.setMerchantAddress({ merchantId: 'm1', address: '  Torstraße 12, 10119 Berlin ' }),
    );
    expect(after).toEqual({ ...before, address: 'Torstraße 12, 10119 Berlin' });
    expect(unwrap(await uc.getMerchant('m1')).merchant).toEqual(after);
  });

  it('is what the next reservation names', async () => {
    unwrap(await uc.setMerchantAddress({ merchantId: 'm1', address: 'Torstraße 12' }));
    const reserved = unwrap(
      await uc.reserveStock({ orderId: 'o1', merchantId: 'm1', lines: [{ itemId: 'burger', quantity: 1 }] }),
    );
    expect(reserved).toMatchObject({ merchantName: 'Curry Mitte', pickupAddress: 'Torstraße 12' });
  });

  it('clears with "" or blanks', async () => {
    unwrap(await uc.setMerchantAddress({ merchantId: 'm1', address: 'Torstraße 12' }));
    expect(unwrap(await uc.setMerchantAddress({ merchantId: 'm1', address: '  ' })).address).toBe('');
  });

  it('is MERCHANT_NOT_FOUND for an unknown merchant, and validated as UpsertMerchant validates it', async () => {
    expect(await uc.setMerchantAddress({ merchantId: 'nobody', address: 'Torstraße 12' })).toMatchObject({
      ok: false,
      error: { kind: 'not_found', code: 'MERCHANT_NOT_FOUND' },
    });
    expect(
      await uc.setMerchantAddress({ merchantId: 'm1', address: 'Torstraße 12\n10119 Berlin' }),
    ).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT', fields: [{ field: 'address' }] } });
    expect(await uc.setMerchantAddress({ merchantId: '', address: 'x'.repeat(301) })).toMatchObject({
      ok: false,
      error: { code: 'INVALID_ARGUMENT', fields: [{ field: 'merchant_id' }, { field: 'address' }] },
    });
    expect(unwrap(await uc.getMerchant('m1')).merchant.address).toBe('');
  });
});

describe('the address file', () => {
  it('reads merchant_id,address lines as CSV: an address with commas is quoted', () => {
    const csv = [
      '\uFEFFmerchant_id,address',
      'm1,"Torstraße 12, 10119 Berlin"',
      '',
      ' m2 , "Mehringdamm 36, 10961 Berlin" \r',
      'm3,"Zum ""Goldenen"" Hirsch 1"',
      'm4,',
      'm5,Zum "Hirsch" 2',
    ].join('\n');
    expect(parseAddressCsv(csv)).toEqual([
      { line: 2, merchantId: 'm1', address: 'Torstraße 12, 10119 Berlin' },
      { line: 4, merchantId: 'm2', address: 'Mehringdamm 36, 10961 Berlin' },
      { line: 5, merchantId: 'm3', address: 'Zum "Goldenen" Hirsch 1' },
      { line: 6, merchantId: 'm4', address: '' },
      // A quote inside an unquoted field is taken as it is.
      { line: 7, merchantId: 'm5', address: 'Zum "Hirsch" 2' },
    ]);
  });

  it('refuses an unquoted address with commas rather than guess which part is the address', () => {
    // An address with a comma, or an address and a note in a third column: either reading would
    // set a wrong address without a word.
    expect(
      parseAddressCsv('m1,Torstraße 12, 10119 Berlin\nm2,"Torstr. 12",note\nm3,"Torstr. 12", Berlin'),
    ).toEqual(
      [1, 2, 3].map((line) => ({
        line,
        problem: 'more than two fields: quote an address that holds commas ("Torstraße 12, 10119 Berlin")',
      })),
    );
  });

  it('names the lines it cannot read, and an unclosed quote never swallows the lines after it', () => {
    expect(parseAddressCsv('m1\nm2,"Torstraße 12\nm3,"a"b"\nm4,x\nm4,y\n,x')).toEqual([
      { line: 1, problem: 'expected merchant_id,address' },
      { line: 2, problem: 'a quoted field must end with its quote on the same line' },
      { line: 3, problem: 'text after a closing quote: double a quote inside a quoted field ("")' },
      { line: 4, merchantId: 'm4', address: 'x' },
      { line: 5, problem: 'm4 is on line 4 already: which address is meant?' },
      { line: 6, problem: 'merchant_id is empty' },
    ]);
  });

  it('reads spreadsheet exports: a quoted header, quoted ids, CR-only line ends', () => {
    const csv = '"merchant_id","address"\r"m1","Torstraße 12, 10119 Berlin"\r m2 ,Mehringdamm 36\r';
    expect(parseAddressCsv(csv)).toEqual([
      { line: 2, merchantId: 'm1', address: 'Torstraße 12, 10119 Berlin' },
      { line: 3, merchantId: 'm2', address: 'Mehringdamm 36' },
    ]);
    expect(parseAddressCsv('"m1,x')).toEqual([
      { line: 1, problem: 'a quoted field must end with its quote on the same line' },
    ]);
  });

  it('drops empty fields after the address (an extra spreadsheet column), and only those', () => {
    const csv = [
      'merchant_id,address,',
      'm1,Torstr. 12,',
      'm2,"Torstr. 12, Berlin",',
      'm3,"Torstr. 12, Berlin " , , ',
      'm4,"Zum ""Hirsch""" ,"",',
      'm5,,',
      'm7,"Torstr. 12",x,',
    ].join('\n');
    expect(parseAddressCsv(csv)).toEqual([
      { line: 2, merchantId: 'm1', address: 'Torstr. 12' },
      { line: 3, merchantId: 'm2', address: 'Torstr. 12, Berlin' },
      { line: 4, merchantId: 'm3', address: 'Torstr. 12, Berlin ' },
      { line: 5, merchantId: 'm4', address: 'Zum "Hirsch"' },
      { line: 6, merchantId: 'm5', address: '' },
      {
        line: 7,
        problem: 'more than two fields: quote an address that holds commas ("Torstraße 12, 10119 Berlin")',
      },
    ]);
  });

  it('takes a corrected line after a broken one for the same merchant', () => {
    expect(parseAddressCsv('merchant_id,address\nm2,"Bad "quote" here"\nm2,Good 1\nm2,Good 2')).toEqual([
      { line: 2, problem: 'text after a closing quote: double a quote inside a quoted field ("")' },
      { line: 3, merchantId: 'm2', address: 'Good 1' },
      { line: 4, problem: 'm2 is on line 3 already: which address is meant?' },
    ]);
  });

  it('sets every row it can and reports each, failures included', async () => {
    const store = createInMemoryStore();
    const uc = createUseCases(testDeps(store).deps);
    unwrap(await uc.upsertMerchant(merchantInput({ address: undefined })));
    unwrap(await uc.upsertMerchant(merchantInput({ id: 'm2', address: 'Old 1' })));
    const report = await setAddresses(
      uc,
      'merchant_id,address\nm1,Torstraße 12\nnobody,Torstraße 1\nm2,\nm3\n',
    );
    expect(report).toEqual({
      set: 2,
      failed: 2,
      lines: [
        'line 2: m1: "Torstraße 12"',
        'line 3: nobody: MERCHANT_NOT_FOUND: merchant nobody does not exist',
        'line 4: m2: cleared',
        'line 5: not read: expected merchant_id,address',
      ],
    });
    expect(unwrap(await uc.getMerchant('m1')).merchant.address).toBe('Torstraße 12');
    expect(unwrap(await uc.getMerchant('m2')).merchant.address).toBe('');
  });
});
