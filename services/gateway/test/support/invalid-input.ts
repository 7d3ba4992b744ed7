import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../../src/app/principal.ts';
import { createHarness, type Harness } from './harness.ts';

/**
 * Runner of the invalid-input matrix: each case answers 4xx in the one error shape, naming the
 * field on a 400, and never 5xx.
 */

export const ORDER = '7d3c1a2e-5b6f-4c8d-9e0f-1a2b3c4d5e6f';
export const UNKNOWN_ORDER = '00000000-0000-4000-8000-000000000000';

export interface Case {
  name: string;
  as?: [Role, string];
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  url: string;
  payload?: unknown;
  headers?: Record<string, string>;
  status: number;
  code: string;
  /** Field names the 400 must list (in any order, among others). */
  fields?: string[];
}

export function describeInvalidInput(title: string, cases: Case[], setup?: (h: Harness) => void): void {
  describe(title, () => {
    let h: Harness;
    beforeAll(async () => {
      h = await createHarness({
        env: { RATE_LIMIT_PER_MINUTE_CUSTOMER: '1000', RATE_LIMIT_PER_MINUTE_MERCHANT: '1000' },
      });
      h.backend.addMerchant('m-1');
      h.backend.addOrder({ id: ORDER, customerId: 'c-1', merchantId: 'm-1' });
      setup?.(h);
    });
    afterAll(() => h.close());

    it.each(cases)('$name -> $status $code', async (c) => {
      const payload = c.payload === undefined ? {} : { payload: c.payload as string | object };
      const res = await h.call({
        method: c.method ?? 'GET',
        url: c.url,
        ...payload,
        headers: c.headers ?? {},
        ...(c.as ? { as: c.as } : {}),
      });
      expect(res.statusCode, res.body).toBe(c.status);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      const body = res.json<{
        code: string;
        message: string;
        requestId: string;
        fields?: { field: string }[];
      }>();
      expect(body.code).toBe(c.code);
      expect(body.message.length).toBeGreaterThan(0);
      expect(body.requestId).toBe(res.headers['x-request-id']);
      if (c.fields) expect(body.fields?.map((f) => f.field)).toEqual(expect.arrayContaining(c.fields));
      else expect(body.fields).toBeUndefined();
    });
  });
}
