import { beforeEach, describe, expect, it } from 'vitest';
import { unwrap } from '@mealpeak/core';
import { createLogger } from '@mealpeak/telemetry';
import { profileOf } from '../domain/merchant-profile.ts';
import { createInMemoryStore } from './test-support/in-memory-store.ts';
import { merchantInput, testDeps } from './test-support/fixtures.ts';
import { MAX_EXAMINED_ROWS, MIN_CHUNK_ROWS } from './listing.ts';
import type { MerchantStore } from './ports.ts';
import { createUseCases, type UseCases } from './use-cases.ts';

// Twelve merchants on a line going east from the centre, ~70 m apart; every third one closed.
const centre = { lat: 52.52, lng: 13.405 };
const east = (i: number) => ({ lat: centre.lat, lng: centre.lng + i * 0.001 });

describe('listing merchants near a point', () => {
  let uc: UseCases;

  beforeEach(async () => {
    const store = createInMemoryStore();
    uc = createUseCases(testDeps(store).deps);
    for (let i = 0; i < 12; i++) {
      const id = `m${String(i).padStart(2, '0')}`;
      unwrap(
        await uc.upsertMerchant(
          merchantInput({
            id,
            location: east(i),
            openingHours: i % 3 === 2 ? [] : merchantInput().openingHours,
          }),
        ),
      );
    }
    unwrap(await uc.upsertMerchant(merchantInput({ id: 'far', location: { lat: 48.14, lng: 11.58 } })));
  });

  const list = (over: Partial<Parameters<UseCases['listMerchants']>[0]> = {}) =>
    uc.listMerchants({ near: centre, radiusM: 2_000, openOnly: false, pageSize: 5, pageToken: '', ...over });

  async function all(over: Partial<Parameters<UseCases['listMerchants']>[0]> = {}) {
    const pages: string[][] = [];
    let token = '';
    do {
      const page = unwrap(await list({ ...over, pageToken: token }));
      pages.push(page.merchants.map((m) => m.merchant.id));
      token = page.nextPageToken;
    } while (token !== '');
    return pages;
  }

  it('returns the nearest first with distances, in pages, and ends without a token', async () => {
    const first = unwrap(await list());
    expect(first.merchants.map((m) => m.merchant.id)).toEqual(['m00', 'm01', 'm02', 'm03', 'm04']);
    expect(first.merchants[1]!.distanceM).toBeGreaterThan(60);
    expect(first.merchants[1]!.distanceM).toBeLessThan(80);
    expect(await all()).toEqual([
      ['m00', 'm01', 'm02', 'm03', 'm04'],
      ['m05', 'm06', 'm07', 'm08', 'm09'],
      ['m10', 'm11'],
    ]);
  });

  it('filters by radius', async () => {
    const page = unwrap(await list({ radiusM: 150, pageSize: 50 }));
    expect(page.merchants.map((m) => m.merchant.id)).toEqual(['m00', 'm01', 'm02']);
  });

  it('lists only merchants that deliver to the point', async () => {
    // m05 is ~340 m east of the centre: with a 300 m delivery radius it no longer reaches it.
    unwrap(await uc.upsertMerchant(merchantInput({ id: 'm05', location: east(5), deliveryRadiusM: 300 })));
    const ids = unwrap(await list({ pageSize: 50 })).merchants.map((m) => m.merchant.id);
    expect(ids).toEqual(['m00', 'm01', 'm02', 'm03', 'm04', 'm06', 'm07', 'm08', 'm09', 'm10', 'm11']);
    const atM05 = unwrap(await list({ near: east(5), radiusM: 50, pageSize: 50 }));
    expect(atM05.merchants.map((m) => m.merchant.id)).toEqual(['m05']);
  });

  it('with open_only, fills whole pages with open merchants and gives no empty last page', async () => {
    expect(await all({ openOnly: true, pageSize: 4 })).toEqual([
      ['m00', 'm01', 'm03', 'm04'],
      ['m06', 'm07', 'm09', 'm10'],
    ]);
  });

  it('refuses a missing point, a radius above 50 km and a token from another query', async () => {
    expect(await list({ near: undefined })).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } });
    expect(await list({ radiusM: 50_001 })).toMatchObject({
      ok: false,
      error: { fields: [{ field: 'radius_m' }] },
    });
    const { nextPageToken } = unwrap(await list());
    expect(await list({ pageToken: nextPageToken, radiusM: 3_000 })).toMatchObject({
      ok: false,
      error: { fields: [{ field: 'page_token' }] },
    });
    expect(await list({ pageToken: 'garbage' })).toMatchObject({ ok: false });
  });
});

describe('listing open merchants behind many closed ones', () => {
  // 1,200 closed merchants within ~130 m of the centre, then two open ones ~340 and ~410 m away.
  let uc: UseCases;
  let queries = 0;
  let onQuery: () => void = () => {};

  beforeEach(async () => {
    const base = createInMemoryStore();
    // Every store query ListMerchants makes, counted.
    const store: MerchantStore = {
      ...base,
      repo: {
        ...base.repo,
        findNear: (q) => {
          queries++;
          onQuery();
          return base.repo.findNear(q);
        },
      },
    };
    uc = createUseCases(testDeps(store).deps);
    for (let i = 0; i < 1_200; i++)
      unwrap(
        await uc.upsertMerchant(
          merchantInput({
            id: `c${String(i).padStart(4, '0')}`,
            location: { lat: centre.lat + i * 1e-6, lng: centre.lng },
            openingHours: [],
          }),
        ),
      );
    for (const [id, i] of [
      ['o1', 5],
      ['o2', 6],
    ] as const)
      unwrap(await uc.upsertMerchant(merchantInput({ id, location: east(i) })));
    queries = 0;
    onQuery = () => {};
  });

  const page = (pageToken: string, signal?: AbortSignal) =>
    uc.listMerchants({ near: centre, radiusM: 2_000, openOnly: true, pageSize: 1, pageToken }, { signal });

  it('examines a bounded number of rows per call and continues with the token', async () => {
    const first = unwrap(await page(''));
    expect(queries).toBeLessThanOrEqual(Math.ceil(MAX_EXAMINED_ROWS / MIN_CHUNK_ROWS));
    expect(first.merchants).toEqual([]); // short: nothing open among the rows examined
    expect(first.nextPageToken).not.toBe('');

    const found: string[][] = [];
    let token = first.nextPageToken;
    let calls = 1;
    while (token !== '') {
      queries = 0;
      const next = unwrap(await page(token));
      expect(queries).toBeLessThanOrEqual(Math.ceil(MAX_EXAMINED_ROWS / MIN_CHUNK_ROWS));
      if (next.merchants.length > 0) found.push(next.merchants.map((m) => m.merchant.id));
      token = next.nextPageToken;
      expect(++calls).toBeLessThan(10);
    }
    expect(found).toEqual([['o1'], ['o2']]);
  });

  it('starts no further query once the call is abandoned', async () => {
    const abandoned = new AbortController();
    onQuery = () => abandoned.abort();
    const short = unwrap(await page('', abandoned.signal));
    expect(queries).toBe(1);
    expect(short.nextPageToken).not.toBe('');
  });
});

describe('a merchant whose stored time zone this runtime cannot evaluate', () => {
  it('is listed as closed, and the page is served', async () => {
    const store = createInMemoryStore();
    const uc = createUseCases(testDeps(store).deps);
    unwrap(await uc.upsertMerchant(merchantInput({ id: 'good', location: east(1) })));
    // Written past validation (an older release, another ICU version, a hand edit).
    await store.repo.saveProfile(
      profileOf({ ...merchantInput({ id: 'bad' }), location: east(2), timeZone: 'Mars/Olympus' }),
    );
    const page = unwrap(
      await uc.listMerchants({ near: centre, radiusM: 2_000, openOnly: false, pageSize: 5, pageToken: '' }),
    );
    expect(page.merchants.map((m) => [m.merchant.id, m.merchant.status])).toEqual([
      ['good', 'OPEN'],
      ['bad', 'CLOSED'],
    ]);
    const open = unwrap(
      await uc.listMerchants({ near: centre, radiusM: 2_000, openOnly: true, pageSize: 5, pageToken: '' }),
    );
    expect(open.merchants.map((m) => m.merchant.id)).toEqual(['good']);
  });

  it('is logged once per merchant and process, by GetMerchant, ReserveStock or a listing', async () => {
    const store = createInMemoryStore();
    await store.repo.saveProfile(
      profileOf({ ...merchantInput({ id: 'bad' }), location: east(2), timeZone: 'Mars/Olympus' }),
    );
    const logged = () => {
      const lines: { merchantId: string; msg: string }[] = [];
      const logger = createLogger({
        service: 't',
        level: 'warn',
        destination: { write: (l: string) => void lines.push(JSON.parse(l)) },
      });
      return { uc: createUseCases({ ...testDeps(store).deps, logger }), lines };
    };
    const reserve = (uc: UseCases, orderId: string) =>
      uc.reserveStock({ orderId, merchantId: 'bad', lines: [{ itemId: 'x', quantity: 1 }] });
    const byGet = logged();
    expect(unwrap(await byGet.uc.getMerchant('bad')).merchant.status).toBe('CLOSED');
    expect(byGet.lines).toMatchObject([
      { merchantId: 'bad', msg: expect.stringContaining('merchant time zone unknown to this runtime') },
    ]);
    expect(await reserve(byGet.uc, 'o1')).toMatchObject({ ok: false, error: { code: 'MERCHANT_CLOSED' } });
    await byGet.uc.listMerchants({
      near: centre,
      radiusM: 2_000,
      openOnly: false,
      pageSize: 5,
      pageToken: '',
    });
    expect(byGet.lines).toHaveLength(1);
    const byReserve = logged();
    expect(await reserve(byReserve.uc, 'o2')).toMatchObject({
      ok: false,
      error: { code: 'MERCHANT_CLOSED' },
    });
    expect(byReserve.lines).toMatchObject([{ merchantId: 'bad' }]);
  });
});
