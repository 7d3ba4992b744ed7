import { describe, expect, it } from 'vitest';
import { experimental } from '@grpc/grpc-js';
import { DEFAULT_RETRY, loadBalancingConfig, serviceConfig } from './client.ts';
import { OUTLIER_DETECTION } from './options.ts';

type LbConfig = Parameters<typeof experimental.selectLbConfigFromList>[0];

describe('service config', () => {
  const parsed = JSON.parse(serviceConfig('mealpeak.echo.v1.EchoService', ['Echo'], DEFAULT_RETRY)) as {
    loadBalancingConfig: LbConfig;
    methodConfig: unknown[];
  };

  it('is taken by grpc-js as outlier detection around round_robin, with our numbers', () => {
    // grpc-js skips an entry it cannot parse without an error (and ends up on pick_first), so
    // the shape is checked by grpc-js's own parser, not by comparing JSON.
    const chosen = experimental.selectLbConfigFromList(parsed.loadBalancingConfig);
    expect(chosen?.getLoadBalancerName()).toBe('outlier_detection');
    expect(chosen?.toJsonObject()).toEqual({
      outlier_detection: {
        interval: { seconds: 1, nanos: 0 },
        base_ejection_time: { seconds: 10, nanos: 0 },
        max_ejection_time: { seconds: 30, nanos: 0 },
        max_ejection_percent: OUTLIER_DETECTION.maxEjectionPercent,
        failure_percentage_ejection: {
          threshold: OUTLIER_DETECTION.failurePercentage.threshold,
          enforcement_percentage: 100,
          minimum_hosts: OUTLIER_DETECTION.failurePercentage.minimumHosts,
          request_volume: OUTLIER_DETECTION.failurePercentage.requestVolume,
        },
        child_policy: [{ round_robin: {} }],
      },
    });
  });

  it('falls back to round_robin, not pick_first, where outlier detection is switched off', () => {
    const [, fallback] = loadBalancingConfig() as LbConfig;
    expect(fallback && experimental.parseLoadBalancingConfig(fallback).getLoadBalancerName()).toBe(
      'round_robin',
    );
  });

  it('keeps the retry policy of the idempotent methods', () => {
    expect(parsed.methodConfig).toEqual([
      {
        name: [{ service: 'mealpeak.echo.v1.EchoService', method: 'Echo' }],
        retryPolicy: {
          maxAttempts: 4,
          initialBackoff: '0.05s',
          maxBackoff: '1s',
          backoffMultiplier: 2,
          retryableStatusCodes: ['UNAVAILABLE'],
        },
      },
    ]);
  });

  it('has no method config when no method may be retried', () => {
    expect(JSON.parse(serviceConfig('s', [], DEFAULT_RETRY))).toMatchObject({ methodConfig: [] });
  });
});
