import { describe, expect, it } from 'vitest';
import type { IORedisInstrumentationConfig } from '@opentelemetry/instrumentation-ioredis';
import { instrumentations, samplerOf } from './sdk.ts';

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
});
