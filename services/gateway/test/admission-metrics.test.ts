import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { codedError } from '@mealpeak/core';
import { Attr } from '@mealpeak/telemetry';
import { installInMemoryMetrics } from '@mealpeak/telemetry/testing';
import type { Harness, HarnessOptions } from './support/harness.ts';
import { eventually } from './support/poll.ts';

// The provider must be global before the gateway's modules take their meter.
const collected = installInMemoryMetrics();
const { AdmissionMetric } = await import('../src/transport/http/admission.ts');
const { createHarness } = await import('./support/harness.ts');

let h: Harness | undefined;
async function harness(options: HarnessOptions): Promise<Harness> {
  h = await createHarness(options);
  return h;
}
afterEach(() => h?.close());
afterAll(() => collected.shutdown());

const refusals = async (reason: string, priority?: string) =>
  (await collected.values(AdmissionMetric.REFUSED))
    .filter((p) => p.attributes[Attr.ADMISSION_REASON] === reason)
    .filter((p) => priority === undefined || p.attributes[Attr.ADMISSION_PRIORITY] === priority)
    .reduce((sum, p) => sum + p.value, 0);

describe('admission metrics', () => {
  it('counts refusals by reason: rate limit', async () => {
    const before = await refusals('rate_limit');
    const app = await harness({ env: { RATE_LIMIT_PER_MINUTE_CUSTOMER: '1' } });
    await app.call({ url: '/v1/orders', as: ['customer', 'c-1'] });
    expect((await app.call({ url: '/v1/orders', as: ['customer', 'c-1'] })).statusCode).toBe(429);
    expect(await refusals('rate_limit')).toBe(before + 1);
  });

  it('counts refusals by reason: which pressure signal', async () => {
    const before = await refusals('heap');
    const app = await harness({ env: { MAX_HEAP_USED_BYTES: '1' }, pressureSampleIntervalMs: 10 });
    await eventually(async () => {
      const res = await app.call({ url: '/v1/orders', as: ['customer', 'c-1'] });
      return res.statusCode === 503 ? res : undefined;
    });
    expect(await refusals('heap')).toBeGreaterThan(before);
  });

  it('counts refusals by reason: the in-flight cap, and shows what is in flight', async () => {
    const before = await refusals('in_flight');
    const app = await harness({ env: { MAX_IN_FLIGHT: '1' } });
    app.backend.addMerchant('m-1');
    app.backend.placeDelayMs = 300;
    const slow = app.call({
      method: 'POST',
      url: '/v1/orders',
      payload: {
        merchantId: 'm-1',
        lines: [{ itemId: 'i-1', quantity: 1 }],
        dropoff: { lat: 52.5, lng: 13.4 },
        dropoffAddress: 'Somestr. 1',
      },
      headers: { 'idempotency-key': 'm' },
      as: ['customer', 'c-1'],
    });
    await eventually(async () => (app.backend.placeCalls.length > 0 ? true : undefined));
    expect((await collected.values(AdmissionMetric.IN_FLIGHT)).map((p) => p.value)).toEqual([1]);
    const normalBefore = await refusals('in_flight', 'normal');
    expect((await app.call({ url: '/v1/orders', as: ['customer', 'c-2'] })).statusCode).toBe(503);
    expect(await refusals('in_flight')).toBe(before + 1);
    // And by priority (ADR 0020): a customer's order list is normal.
    expect(await refusals('in_flight', 'normal')).toBe(normalBefore + 1);
    await slow;
    expect((await collected.values(AdmissionMetric.IN_FLIGHT)).map((p) => p.value)).toEqual([0]);
  });

  it('reports event-loop utilisation', async () => {
    await harness({ pressureSampleIntervalMs: 10 });
    const points = await eventually(async () => {
      const p = await collected.values(AdmissionMetric.EVENT_LOOP_UTILIZATION);
      return p.length === 1 && p[0]!.value > 0 ? p : undefined;
    });
    expect(points[0]!.value).toBeLessThanOrEqual(1);
  });

  it('tells a 503 the gateway chose from one it relays, in the request duration', async () => {
    const app = await harness({ env: { MAX_IN_FLIGHT: '1' } });
    app.backend.failures.set('getOrder', codedError('unavailable', 'GRPC_UNAVAILABLE', 'down'));
    const res = await app.call({
      url: '/v1/orders/7d3c1a2e-5b6f-4c8d-9e0f-1a2b3c4d5e6f',
      as: ['customer', 'c-1'],
    });
    expect(res.statusCode).toBe(503);
    const codes = (await collected.counts('http.server.request.duration'))
      .filter((p) => p.attributes['http.response.status_code'] === 503)
      .map((p) => p.attributes[Attr.ERROR_CODE]);
    expect(codes).toContain('UPSTREAM_UNAVAILABLE');
  });
});
