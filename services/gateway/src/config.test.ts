import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '@mealpeak/config';
import { configSchema, DEV_CLUSTER_JWT_SECRET, DEV_JWT_SECRET } from './config.ts';

const problems = (env: Record<string, string>) => {
  try {
    loadConfig(configSchema, env);
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
};

/** A secret as `openssl rand -base64 48` makes them. */
const PROD_SECRET = 'q3Zt8vYk1LxN0pRb7sWc4dUe9fGh2jKm5nPo6aBi';
const INTERNAL_TOKEN = 'Zq8mV2xR7nT4kW1pL9sB3dF6hJ0cG5yA';

describe('gateway configuration', () => {
  it('runs locally with no variables at all, dev tokens on', () => {
    const config = loadConfig(configSchema, {});
    expect(config.JWT_SECRET).toBe(DEV_JWT_SECRET);
    expect(config.DEV_TOKENS_ENABLED).toBe(true);
    expect(config.REQUEST_TIMEOUT_MS).toBe(10_000);
    expect(config.IDEMPOTENCY_TTL_SECONDS).toBe(86_400);
  });

  it('refuses to start in production with the dev secret, or with dev tokens switched on', () => {
    const found = problems({ NODE_ENV: 'production', DEV_TOKENS_ENABLED: 'true' }).join('\n');
    expect(found).toContain('JWT_SECRET: set a real secret in production');
    expect(found).toContain('DEV_TOKENS_ENABLED: must be off in production');
  });

  it("refuses the dev cluster's committed secret in production, and low-entropy ones", () => {
    const prod = { NODE_ENV: 'production', REDIS_URL: 'redis://r:6379', GRPC_INTERNAL_TOKEN: INTERNAL_TOKEN };
    expect(problems({ ...prod, JWT_SECRET: DEV_CLUSTER_JWT_SECRET }).join('\n')).toContain(
      'JWT_SECRET: set a real secret in production (this one is in the repository)',
    );
    // 12 different letters in a pattern: 32 characters, under 128 bits.
    expect(problems({ ...prod, JWT_SECRET: 'abcdefghijklabcdefghijklabcdefgh' }).join('\n')).toContain(
      'JWT_SECRET: looks hand-made (under 128 bits',
    );
    expect(problems({ ...prod, JWT_SECRET: PROD_SECRET })).toEqual([]);
    // Outside production the dev cluster's key is merely a key.
    expect(problems({ JWT_SECRET: DEV_CLUSTER_JWT_SECRET })).toEqual([]);
  });

  it('takes an optional JWT_AUDIENCE of printable characters', () => {
    expect(loadConfig(configSchema, {}).JWT_AUDIENCE).toBeUndefined();
    expect(loadConfig(configSchema, { JWT_AUDIENCE: 'mealpeak-api' }).JWT_AUDIENCE).toBe('mealpeak-api');
    expect(problems({ JWT_AUDIENCE: 'two words' }).join('\n')).toContain('JWT_AUDIENCE');
    // Empty is unset, as for every variable.
    expect(loadConfig(configSchema, { JWT_AUDIENCE: '' }).JWT_AUDIENCE).toBeUndefined();
  });

  it('refuses a hand-made JWT secret in production, without showing it', () => {
    const found = problems({
      NODE_ENV: 'production',
      JWT_SECRET: 'a'.repeat(40),
      REDIS_URL: 'redis://r:6379',
    });
    expect(found).toEqual([
      'JWT_SECRET: looks hand-made (under 128 bits by src/secret-strength.ts): use 32+ random bytes, e.g. openssl rand -base64 48 (got <hidden, 40 characters>)',
    ]);
    expect(problems({ JWT_SECRET: 'short' }).join('\n')).toContain('(got <hidden, 5 characters>)');
  });

  it('refuses to run in production on the local Redis default', () => {
    expect(
      problems({ NODE_ENV: 'production', JWT_SECRET: PROD_SECRET, GRPC_INTERNAL_TOKEN: INTERNAL_TOKEN }),
    ).toEqual([
      'REDIS_URL: must be set when NODE_ENV=production (the default is a local development server)',
    ]);
  });

  it('switches dev tokens off by default in production', () => {
    const config = loadConfig(configSchema, {
      NODE_ENV: 'production',
      JWT_SECRET: PROD_SECRET,
      REDIS_URL: 'redis://redis:6379',
      GRPC_INTERNAL_TOKEN: INTERNAL_TOKEN,
    });
    expect(config.DEV_TOKENS_ENABLED).toBe(false);
  });

  it('keeps gRPC deadlines below the request timeout, and the request timeout below the socket one', () => {
    const found = problems({ REQUEST_TIMEOUT_MS: '4000', CONNECTION_TIMEOUT_MS: '4000' }).join('\n');
    expect(found).toContain('PLACE_ORDER_DEADLINE_MS: must be below REQUEST_TIMEOUT_MS (4000)');
    expect(found).toContain('CONNECTION_TIMEOUT_MS: must be above REQUEST_TIMEOUT_MS (4000)');
    expect(found).not.toContain('GRPC_DEADLINE_MS:');
  });

  it('writes rider positions where rider-dispatch reads them by default, and refuses a bad namespace', () => {
    const config = loadConfig(configSchema, {});
    expect(config.RIDER_POSITIONS_NAMESPACE).toBe('rider-positions');
    expect(config.RIDER_POSITION_TTL_MS).toBe(60_000);
    expect(config.REDIS_KEY_PREFIX).toBe('');
    // 12 pings and up to 30 offer polls a minute must fit with room for retries.
    expect(config.RATE_LIMIT_PER_MINUTE_RIDER).toBeGreaterThanOrEqual(600);
    expect(problems({ RIDER_POSITIONS_NAMESPACE: 'city {1}' }).join('\n')).toContain(
      'RIDER_POSITIONS_NAMESPACE',
    );
  });

  it('flags implausible pings by default, and refuses an unknown check mode or an absurd speed at start-up', () => {
    const config = loadConfig(configSchema, {});
    expect(config.RIDER_POSITION_CHECK).toBe('flag');
    expect(config.RIDER_POSITION_MAX_SPEED_MPS).toBe(40);
    expect(loadConfig(configSchema, { RIDER_POSITION_CHECK: 'enforce' }).RIDER_POSITION_CHECK).toBe(
      'enforce',
    );
    const found = problems({ RIDER_POSITION_CHECK: 'strict', RIDER_POSITION_MAX_SPEED_MPS: '0' }).join('\n');
    expect(found).toContain('RIDER_POSITION_CHECK');
    expect(found).toContain('RIDER_POSITION_MAX_SPEED_MPS');
  });

  it('rejects a short JWT secret', () => {
    expect(problems({ JWT_SECRET: 'short' }).join('\n')).toContain('JWT_SECRET');
  });

  it('believes X-Forwarded-For only from the proxies it is told about, never every hop', () => {
    const trust = (value: string) => loadConfig(configSchema, { TRUST_PROXY: value }).TRUST_PROXY;
    expect(loadConfig(configSchema, {}).TRUST_PROXY).toBe(false);
    expect(trust('false')).toBe(false);
    expect(problems({ TRUST_PROXY: '1' }).join('\n')).toContain("TRUST_PROXY: give the proxies' addresses");
    expect(trust('10.0.0.0/8, 192.168.1.7,loopback')).toEqual(['10.0.0.0/8', '192.168.1.7', 'loopback']);
    expect(trust('fd00::/8')).toEqual(['fd00::/8']);
    expect(problems({ TRUST_PROXY: 'true' }).join('\n')).toMatch(
      /TRUST_PROXY: true would believe the left-most/,
    );
    expect(problems({ TRUST_PROXY: '10.0.0.0/33,ingress' }).join('\n')).toContain(
      'TRUST_PROXY: not an address, CIDR or loopback/linklocal/uniquelocal: "10.0.0.0/33", "ingress"',
    );
  });

  it('listens where LISTEN_HOST says unless HTTP_HOST is given', () => {
    expect(loadConfig(configSchema, { LISTEN_HOST: '127.0.0.1' }).HTTP_HOST).toBeUndefined();
    expect(loadConfig(configSchema, { HTTP_HOST: '::' }).HTTP_HOST).toBe('::');
  });
});
