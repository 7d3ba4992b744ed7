import { describe, expect, it } from 'vitest';
import { ConfigError, env, loadConfig, z } from './index.ts';

const schema = z.object({
  ...env.serviceBase,
  ...env.postgres,
  ...env.kafka,
  GRPC_PORT: env.port(50051),
  FEATURE_X: env.bool(false),
});

describe('loadConfig', () => {
  it('applies local defaults when nothing is set', () => {
    const config = loadConfig(schema, {});
    expect(config.GRPC_PORT).toBe(50051);
    expect(config.KAFKA_BROKERS).toEqual(['127.0.0.1:59092']);
    expect(config.LOG_LEVEL).toBe('info');
    expect(config.FEATURE_X).toBe(false);
  });

  it('coerces and parses values from strings', () => {
    const config = loadConfig(schema, { GRPC_PORT: '6000', KAFKA_BROKERS: 'a:1, b:2', FEATURE_X: 'true' });
    expect(config.GRPC_PORT).toBe(6000);
    expect(config.KAFKA_BROKERS).toEqual(['a:1', 'b:2']);
    expect(config.FEATURE_X).toBe(true);
  });

  it('names every bad variable in one error, with the value it got', () => {
    let error: unknown;
    try {
      loadConfig(schema, { GRPC_PORT: 'abc', PG_URL: 'mysql://x', LOG_LEVEL: 'loud', KAFKA_BROKERS: ' , ' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    for (const name of ['GRPC_PORT', 'PG_URL', 'LOG_LEVEL', 'KAFKA_BROKERS'])
      expect(problems).toContain(name);
    expect(problems).toContain('"loud"');
  });

  it('never echoes a secret, nor the password of a URL, in its errors', () => {
    const schema = z.object({
      JWT_SECRET: z.string().min(40),
      PG_URL: z.url({ protocol: /^postgres(ql)?$/ }),
      REDIS_URL: z.string().startsWith('redis://'),
    });
    let message = '';
    try {
      loadConfig(schema, {
        JWT_SECRET: 'SuperSecretProdKey-but-31-chars',
        PG_URL: 'http://app:pg-pass-123@db:5432/x',
        REDIS_URL: 'rediss://:redis-pass@cache:6379',
      });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain('JWT_SECRET');
    expect(message).toContain('(got <hidden, 31 characters>)');
    expect(message).toContain('"http://app:***@db:5432/x"');
    expect(message).toContain('"rediss://:***@cache:6379"');
    for (const secret of ['SuperSecret', 'pg-pass-123', 'redis-pass']) expect(message).not.toContain(secret);
  });

  it('treats an empty variable as unset', () => {
    expect(loadConfig(schema, { GRPC_PORT: '' }).GRPC_PORT).toBe(50051);
  });

  it('returns a deeply frozen object', () => {
    const config = loadConfig(schema, {});
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.KAFKA_BROKERS)).toBe(true);
    expect(() => {
      (config as { GRPC_PORT: number }).GRPC_PORT = 1;
    }).toThrow(TypeError);
  });

  const problemsOf = (environment: Record<string, string>): string[] => {
    try {
      loadConfig(schema, environment);
      return [];
    } catch (e) {
      return [...(e as ConfigError).problems];
    }
  };

  it('refuses timers Node cannot keep, and zero where it would cut the shutdown short', () => {
    // Over 2^31-1 ms a timer fires after 1 ms: the shutdown would be killed at once.
    for (const value of ['0', '999', '3000000000'])
      expect(problemsOf({ SHUTDOWN_TIMEOUT_MS: value })).toEqual([
        expect.stringMatching(/^SHUTDOWN_TIMEOUT_MS: .*\(got "\d+"\)$/),
      ]);
    expect(problemsOf({ SHUTDOWN_TIMEOUT_MS: '1000' })).toEqual([]);
  });

  it('refuses a drain delay that uses up the shutdown budget', () => {
    expect(problemsOf({ SHUTDOWN_TIMEOUT_MS: '4000', SHUTDOWN_DRAIN_DELAY_MS: '6000' })).toEqual([
      'SHUTDOWN_DRAIN_DELAY_MS: must be shorter than SHUTDOWN_TIMEOUT_MS (4000), which it is part of (got 6000)',
    ]);
    expect(problemsOf({ SHUTDOWN_TIMEOUT_MS: '4000', SHUTDOWN_DRAIN_DELAY_MS: '3000' })).toEqual([]);
  });

  it('refuses URLs without a host, brokers without a port, and a one-connection pool', () => {
    const problems = problemsOf({
      PG_URL: 'postgres:foo',
      KAFKA_BROKERS: 'notahost,b:1',
      PG_POOL_MAX: '1',
    }).join('\n');
    for (const name of ['PG_URL', 'KAFKA_BROKERS', 'PG_POOL_MAX']) expect(problems).toContain(name);
    expect(problemsOf({ KAFKA_BROKERS: 'kafka-0.kafka:9092,[::1]:9092' })).toEqual([]);
  });

  it('in production, refuses to fall back on the local development servers', () => {
    expect(problemsOf({ NODE_ENV: 'production', PG_URL: '' })).toEqual([
      "GRPC_INTERNAL_TOKEN: must be set when NODE_ENV=production (without it any pod could call the services' gRPC APIs)",
      'PG_URL: must be set when NODE_ENV=production (the default is a local development server)',
      'KAFKA_BROKERS: must be set when NODE_ENV=production (the default is a local development server)',
    ]);
    expect(
      problemsOf({
        NODE_ENV: 'production',
        PG_URL: 'postgres://u:p@db:5432/mealpeak',
        KAFKA_BROKERS: 'k:9092',
        GRPC_INTERNAL_TOKEN: 'internal-token-of-at-least-32-characters',
      }),
    ).toEqual([]);
    // Outside production it stays optional (local runs), but never short.
    expect(problemsOf({ GRPC_INTERNAL_TOKEN: 'short' }).join('\n')).toContain('GRPC_INTERNAL_TOKEN');
  });
});
