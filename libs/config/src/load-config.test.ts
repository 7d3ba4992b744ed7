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
});
