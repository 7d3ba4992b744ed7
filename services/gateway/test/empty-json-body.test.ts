import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from './support/harness.ts';

const ORDER = '5b1e0c9a-2f4d-4e6a-8b7c-0d1e2f3a4b5c';

/**
 * Many HTTP client libraries send `Content-Type: application/json` with an empty body on a POST
 * without data. That is no body: the body-less actions work, and only real JSON is parsed.
 */
describe('an empty body labelled application/json', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness();
    h.backend.addMerchant('m-1');
    h.backend.addOrder({ id: ORDER, customerId: 'c-1', merchantId: 'm-1' });
  });
  afterAll(() => h.close());

  it('is no body for an action that takes none', async () => {
    for (const payload of ['', '  \n']) {
      const res = await h.call({
        method: 'POST',
        url: `/v1/merchant/orders/${ORDER}/accept`,
        headers: { 'content-type': 'application/json' },
        payload,
        as: ['merchant', 'm-1'],
      });
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json()).toMatchObject({ id: ORDER, state: 'ACCEPTED' });
    }
  });

  it('still refuses broken JSON and prototype poisoning', async () => {
    for (const payload of ['{', '{"__proto__":{"admin":true}}']) {
      const res = await h.call({
        method: 'POST',
        url: `/v1/merchant/orders/${ORDER}/ready`,
        headers: { 'content-type': 'application/json' },
        payload,
        as: ['merchant', 'm-1'],
      });
      expect(res.statusCode, payload).toBe(400);
      expect(res.json()).toMatchObject({ code: 'INVALID_JSON' });
    }
  });
});
