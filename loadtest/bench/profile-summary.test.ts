import { describe, expect, it } from 'vitest';
import { bucketOf, summarise } from './profile-summary.ts';

describe('CPU profile summary', () => {
  it('buckets frames by package, workspace folder or native frame', () => {
    expect(
      bucketOf({ functionName: 'x', url: 'file:///r/node_modules/.pnpm/pg@8.23.1/node_modules/pg/lib/c.js' }),
    ).toBe('pg@8.23.1');
    expect(
      bucketOf({
        functionName: 'x',
        url: 'file:///r/node_modules/.pnpm/@opentelemetry+sdk-metrics@3.1.0_@opentelemetry+api@1.10.0/node_modules/a.js',
      }),
    ).toBe('@opentelemetry+sdk-metrics@3.1.0');
    expect(bucketOf({ functionName: 'f', url: 'file:///r/services/order/src/app/place.ts' })).toBe(
      'services/order/src',
    );
    expect(bucketOf({ functionName: 'writev', url: '' })).toBe('(writev)');
  });

  it('adds self time per bucket, leaves idle out, and names the service', () => {
    const summary = summarise({
      nodes: [
        { id: 1, callFrame: { functionName: '(idle)', url: '' } },
        { id: 2, callFrame: { functionName: 'writev', url: '' } },
        { id: 3, callFrame: { functionName: 'main', url: 'file:///r/services/merchant/src/main.ts' } },
      ],
      samples: [1, 2, 3, 2, 1],
      timeDeltas: [5_000, 2_000, 1_000, 3_000, 7_000],
    });
    expect(summary.service).toBe('merchant');
    expect(summary.busyMs).toBe(6);
    expect(summary.buckets).toEqual([
      ['(writev)', 5],
      ['services/merchant/src', 1],
    ]);
  });
});
