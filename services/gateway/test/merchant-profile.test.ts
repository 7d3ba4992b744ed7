import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from './support/harness.ts';

/** PATCH /v1/merchant over fake services: what the gateway checks, sends and answers. */

let h: Harness;
beforeAll(async () => {
  h = await createHarness({ env: { RATE_LIMIT_PER_MINUTE_MERCHANT: '1000' } });
});
afterAll(() => h.close());
beforeEach(() => {
  h.backend.addMerchant('m-1');
  h.backend.merchants.delete('m-2');
  h.backend.profileUpdates.length = 0;
});

const asMerchant = { as: ['merchant', 'm-1'] as ['merchant', string] };

describe('store profile (PATCH /v1/merchant)', () => {
  const patch = (payload: unknown, as: ['merchant', string] = ['merchant', 'm-1'], headers = {}) =>
    h.call({ method: 'PATCH', url: '/v1/merchant', payload: payload as object, headers, as });
  const lunch = [{ dayOfWeek: 4, openMinute: 690, closeMinute: 900 }];

  it('changes only the fields sent and answers the store as GET /v1/merchant does', async () => {
    const before = (await h.call({ url: '/v1/merchant', ...asMerchant })).json();
    const res = await patch({ name: 'Curry 36', kitchenCapacity: 8, openingHours: lunch });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({
      ...before,
      merchant: {
        ...before.merchant,
        name: 'Curry 36',
        openingHours: lunch,
        kitchen: { ...before.merchant.kitchen, capacity: 8 },
      },
    });
    expect((await h.call({ url: '/v1/merchant', ...asMerchant })).json()).toEqual(res.json());
    expect(h.backend.profileUpdates).toEqual([
      {
        merchantId: 'm-1',
        name: 'Curry 36',
        address: undefined,
        timeZone: undefined,
        openingHours: { windows: lunch },
        kitchenCapacity: 8,
        basePrepSeconds: undefined,
      },
    ]);
  });

  it('sends an empty address to remove it, and [] as opening hours that are present and empty', async () => {
    await patch({ address: '', openingHours: [] });
    expect(h.backend.profileUpdates[0]).toMatchObject({ address: '', openingHours: { windows: [] } });
  });

  it('is idempotent by nature like the PUTs: an Idempotency-Key is ignored, never replayed', async () => {
    const key = { 'idempotency-key': 'edit-1' };
    expect((await patch({ basePrepSeconds: 600 }, undefined, key)).statusCode).toBe(200);
    const second = await patch({ basePrepSeconds: 720 }, undefined, key);
    expect(second.statusCode).toBe(200);
    expect(second.headers['idempotent-replayed']).toBeUndefined();
    expect(h.backend.profileUpdates.map((u) => u.basePrepSeconds)).toEqual([600, 720]);
  });

  it.each([undefined, {}])('refuses a body that changes nothing (%j) with 400', async (body) => {
    const res = await patch(body);
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({
      code: 'VALIDATION_FAILED',
      message:
        'invalid request: body must give at least one field to change: name, address, timeZone, openingHours, kitchenCapacity, basePrepSeconds',
      fields: [{ field: 'body' }],
    });
    expect(h.backend.profileUpdates).toEqual([]);
  });

  it.each([
    [{ kitchenCapacity: 0 }, 'VALIDATION_FAILED', 'kitchenCapacity'],
    [{ basePrepSeconds: 14_401 }, 'VALIDATION_FAILED', 'basePrepSeconds'],
    [{ name: '  ' }, 'VALIDATION_FAILED', 'name'],
    [
      { openingHours: [{ dayOfWeek: 7, openMinute: 0, closeMinute: 1440 }] },
      'VALIDATION_FAILED',
      'openingHours[0].dayOfWeek',
    ],
    [{ address: null }, 'VALIDATION_FAILED', 'address'],
    // Onboarding's fields, not the merchant's: unknown here.
    [{ location: { lat: 52.5, lng: 13.4 } }, 'UNKNOWN_FIELD', 'location'],
    [{ name: 'x', deliveryRadiusM: 9_000 }, 'UNKNOWN_FIELD', 'deliveryRadiusM'],
    // Nor can a body name the store: it is the token's.
    [{ name: 'x', merchantId: 'm-2' }, 'UNKNOWN_FIELD', 'merchantId'],
  ])('answers 400 naming the field for %j', async (payload, code, field) => {
    const res = await patch(payload);
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code, fields: [{ field }] });
    expect(h.backend.profileUpdates).toEqual([]);
  });

  it('passes the merchant service’s refusal on, the field named as in JSON', async () => {
    const res = await patch({ timeZone: '+01:00' });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'INVALID_ARGUMENT', fields: [{ field: 'timeZone' }] });
  });

  it('edits the token’s own store only', async () => {
    h.backend.addMerchant('m-2');
    const res = await patch({ name: 'Renamed' }, ['merchant', 'm-2']);
    expect(res.json()).toMatchObject({ merchant: { id: 'm-2', name: 'Renamed' } });
    expect(h.backend.merchants.get('m-1')!.merchant.name).toBe('Kitchen m-1');
    // A token for a merchant that does not exist: its store is not found, nobody else's is edited.
    const ghost = await patch({ name: 'Renamed' }, ['merchant', 'm-404']);
    expect(ghost.statusCode).toBe(404);
    expect(ghost.json()).toMatchObject({ code: 'MERCHANT_NOT_FOUND' });
    expect(h.backend.profileUpdates.map((u) => u.merchantId)).toEqual(['m-2', 'm-404']);
  });

  it('is 403 for every other role and 401 without a token, and sends nothing', async () => {
    for (const role of ['customer', 'rider', 'ops'] as const) {
      const res = await h.call({
        method: 'PATCH',
        url: '/v1/merchant',
        payload: { name: 'x' },
        as: [role, 'm-1'],
      });
      expect(res.statusCode).toBe(403);
      expect(res.json()).toMatchObject({ code: 'FORBIDDEN' });
    }
    const anonymous = await h.call({ method: 'PATCH', url: '/v1/merchant', payload: { name: 'x' } });
    expect(anonymous.statusCode).toBe(401);
    expect(h.backend.profileUpdates).toEqual([]);
  });
});
