import { describe, expect, it } from 'vitest';
import type { IORedisInstrumentationConfig } from '@opentelemetry/instrumentation-ioredis';
import { instrumentations, samplerOf, tracesSamplerFromEnv } from './sdk.ts';

describe('the Redis client spans', () => {
  it('name the command and none of its arguments (rider positions, client addresses)', () => {
    const redis = instrumentations().find((i) => i.instrumentationName.includes('ioredis'));
    const config: IORedisInstrumentationConfig | undefined = redis?.getConfig();
    const statement = config?.dbStatementSerializer?.('geoadd', [
      'riders:zone-1',
      '13.404954',
      '52.520008',
      'r-7',
    ]);
    expect(statement).toBe('geoadd');
    const limiter = config?.dbStatementSerializer?.('evalsha', ['abc', '1', 'rl:anonymous:203.0.113.9']);
    expect(limiter).toBe('evalsha');
  });
});

describe('the sampler', () => {
  it('is parent-based at the configured ratio by default', () => {
    expect(samplerOf({ serviceName: 's', sampleRatio: 0.25 })?.toString()).toMatch(
      /^ParentBased\{root=TraceIdRatioBased\{0\.25\}/,
    );
  });

  it('is left to the SDK when OTEL_TRACES_SAMPLER is set, so the standard variable works', () => {
    expect(samplerOf({ serviceName: 's', samplerFromEnvironment: true })).toBeUndefined();
  });

  it('reads OTEL_TRACES_SAMPLER as start-up config: unknown is an error, a ratio without one gets ours', () => {
    expect(tracesSamplerFromEnv({})).toEqual({
      ok: true,
      samplerFromEnvironment: false,
      samplerArg: undefined,
    });
    expect(tracesSamplerFromEnv({ OTEL_TRACES_SAMPLER: 'traceid_ratio' })).toMatchObject({
      ok: false,
      message: expect.stringContaining('"traceid_ratio"'),
    });
    expect(tracesSamplerFromEnv({ OTEL_TRACES_SAMPLER: 'parentbased_traceidratio' })).toEqual({
      ok: true,
      samplerFromEnvironment: true,
      samplerArg: '0.1',
    });
    expect(
      tracesSamplerFromEnv({ OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.5' }),
    ).toMatchObject({ ok: true, samplerArg: '0.5' });
    expect(tracesSamplerFromEnv({ OTEL_TRACES_SAMPLER: 'always_on' })).toEqual({
      ok: true,
      samplerFromEnvironment: true,
      samplerArg: undefined,
    });
  });
});
