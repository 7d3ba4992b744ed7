import { afterEach, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from './support/harness.ts';

let h: Harness;
afterEach(() => h?.close());

describe('dev token issuer', () => {
  it('issues a token the gateway accepts, expiring when it says', async () => {
    h = await createHarness();
    const before = Date.now();
    const res = await h.call({
      method: 'POST',
      url: '/v1/dev/tokens',
      payload: { role: 'ops', sub: 'ops-1', ttlSeconds: 120 },
    });
    expect(res.statusCode).toBe(201);
    const { token, tokenType, expiresAt } = res.json<{
      token: string;
      tokenType: string;
      expiresAt: string;
    }>();
    expect(tokenType).toBe('Bearer');
    // The gateway refuses tokens without its issuer, so the ones it issues must carry it.
    expect(h.app.jwt.decode(token)).toMatchObject({ iss: 'mealpeak', sub: 'ops-1', role: 'ops' });
    const ttl = Date.parse(expiresAt) - before;
    expect(ttl).toBeGreaterThan(118_000);
    expect(ttl).toBeLessThanOrEqual(121_000);
    const counts = await h.call({
      url: '/v1/ops/orders/counts',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(counts.statusCode).toBe(200);
  });

  it.each([
    [
      'in production',
      {
        NODE_ENV: 'production',
        JWT_SECRET: 'a-real-secret-of-at-least-32-characters!',
        REDIS_URL: 'redis://127.0.0.1:56379',
        GRPC_INTERNAL_TOKEN: 'internal-token-of-at-least-32-characters',
      },
    ],
    ['when switched off', { DEV_TOKENS_ENABLED: 'false' }],
  ])('does not exist %s', async (_when, env) => {
    h = await createHarness({ env });
    const res = await h.call({
      method: 'POST',
      url: '/v1/dev/tokens',
      payload: { role: 'ops', sub: 'ops-1' },
    });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ code: 'ROUTE_NOT_FOUND' });
  });
});
