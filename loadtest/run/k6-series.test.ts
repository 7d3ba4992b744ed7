import { describe, expect, it } from 'vitest';
import { failuresBetween, parseTags, peakRate, percentile, SeriesBuilder, splitCsv } from './k6-series.ts';

const HEADER =
  'metric_name,timestamp,metric_value,error_code,expected_response,method,name,scenario,status,extra_tags,metadata';
const row = (
  metric: string,
  t: number,
  value: number,
  o: { name?: string; status?: string; scenario?: string; tags?: string } = {},
) =>
  [
    metric,
    t,
    value,
    '',
    'true',
    'GET',
    o.name ?? '',
    o.scenario ?? 'customers',
    o.status ?? '',
    o.tags ?? '',
    '',
  ].join(',');

describe('k6 CSV series', () => {
  it('splits quoted fields as k6 writes them', () => {
    expect(splitCsv('a,"b,c","d""e",')).toEqual(['a', 'b,c', 'd"e', '']);
    expect(parseTags('state=PLACED&x=1')).toEqual({ state: 'PLACED', x: '1' });
  });

  it('buckets requests, failures, latency and order states from the first sample on', () => {
    const b = new SeriesBuilder(1_000);
    for (const line of [
      HEADER,
      row('http_reqs', 10_000, 1, { name: 'GET /v1/merchants' }),
      row('http_req_duration', 10_000, 12, { name: 'GET /v1/merchants' }),
      row('http_req_failed', 10_000, 0, { name: 'GET /v1/merchants', status: '200' }),
      row('http_reqs', 11_500, 1, { name: 'POST /v1/orders', scenario: 'customers' }),
      row('http_req_duration', 11_500, 900, { name: 'POST /v1/orders' }),
      row('http_req_failed', 11_500, 1, { name: 'POST /v1/orders', status: '503' }),
      row('failed_requests', 11_500, 1, { name: 'POST /v1/orders', status: '503', tags: 'code=OVERLOADED' }),
      row('orders_placed', 11_600, 1),
      row('orders_in_state', 12_000, 3, { scenario: 'observer', tags: 'state=PLACED' }),
      row('orders_in_state', 12_010, 1, { scenario: 'observer', tags: 'state=DELIVERED' }),
      row('vus', 12_000, 40),
    ])
      b.add(line);
    const s = b.finish();
    expect(s.startMs).toBe(10_000);
    expect(s.buckets).toHaveLength(3);
    expect(s.buckets[0]!.requests.get('GET /v1/merchants')).toBe(1);
    expect(s.buckets[1]!.failures.get('503')).toBe(1);
    expect(s.buckets[1]!.failureCodes.get('503 OVERLOADED')).toBe(1);
    expect(s.failuresByEndpoint.get('POST /v1/orders')?.get('503 OVERLOADED')).toBe(1);
    expect(s.buckets[1]!.durations.get('POST /v1/orders')).toEqual([900]);
    expect(s.buckets[1]!.ordersPlaced).toBe(1);
    expect(s.buckets[2]!.vus).toBe(40);
    expect(s.orderStates).toEqual([{ t: 2_000, counts: { PLACED: 3, DELIVERED: 1 } }]);
    expect(s.totals).toEqual({ requests: 2, failures: 1 });
  });

  it('finds the busiest window, per second', () => {
    const b = new SeriesBuilder(1_000);
    b.add(HEADER);
    for (let i = 0; i < 10; i++) b.add(row('http_reqs', 1_000 + i * 100, 1, { name: 'x' })); // 10 in second 0
    for (let i = 0; i < 4; i++) b.add(row('http_reqs', 2_000 + i * 100, 1, { name: 'x' })); // 4 in second 1
    const s = b.finish();
    expect(peakRate(s)).toBe(10);
    expect(peakRate(s, 2)).toBe(7);
  });

  it('counts the failed requests of a chaos strike, from it to the next, by status and code', () => {
    const b = new SeriesBuilder(1_000);
    b.add(HEADER);
    b.add(row('http_reqs', 10_000, 1, { name: 'x' }));
    const fail = (t: number, status: string, code: string) =>
      b.add(row('failed_requests', t, 1, { name: 'x', status, tags: `code=${code}` }));
    fail(11_200, '504', 'UPSTREAM_TIMEOUT'); // bucket 1 (middle 11.5 s)
    fail(11_900, '504', 'UPSTREAM_TIMEOUT');
    fail(12_100, '503', 'OVERLOADED'); // bucket 2 (middle 12.5 s)
    fail(14_000, '0', '?'); // bucket 4
    const s = b.finish();
    // Strikes at 11.0 s and 13.0 s: each bucket counts once, towards the strike before its middle.
    expect(failuresBetween(s, 11_000, 13_000)).toEqual({ '504 UPSTREAM_TIMEOUT': 2, '503 OVERLOADED': 1 });
    expect(failuresBetween(s, 13_000, Infinity)).toEqual({ '0 ?': 1 });
    expect(failuresBetween(s, 0, 11_000)).toEqual({});
  });

  it('takes nearest-rank percentiles', () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(values, 50)).toBe(50);
    expect(percentile(values, 99)).toBe(99);
    expect(percentile([], 99)).toBeNaN();
  });
});
