import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '@mealpeak/telemetry';
import { createHarness, type Harness, type HarnessOptions } from './support/harness.ts';
import { MemoryIdempotencyStore } from './support/memory-idempotency-store.ts';

/** POST /v1/rider/positions with the writer faked (the real one against Redis: *.int.test.ts). */

let h: Harness;
async function harness(options: HarnessOptions = {}): Promise<Harness> {
  h = await createHarness(options);
  return h;
}
afterEach(() => h?.close());

const ago = (ms: number) => new Date(Date.now() - ms).toISOString();
const at = (recordedAt: string, lat = 52.52, lng = 13.405) => ({ lat, lng, recordedAt });
const report = (pings: object[], rider = 'r-1', headers: Record<string, string> = {}) =>
  h.call({ method: 'POST', url: '/v1/rider/positions', payload: { pings }, headers, as: ['rider', rider] });

describe('POST /v1/rider/positions', () => {
  it('stores the pings under the token’s rider and answers 202 with the counts', async () => {
    await harness();
    const res = await report([at(ago(2_000), 52.5, 13.4)]);
    expect(res.statusCode).toBe(202);
    expect(res.json()).toEqual({ accepted: 1, dropped: 0, implausible: 0 });
    expect(h.positions.latest.get('r-1')).toMatchObject({ riderId: 'r-1', lat: 52.5, lng: 13.4 });
  });

  it('reads recordedAt with its offset (a fix is one instant, whatever the zone)', async () => {
    await harness();
    const instant = Date.now() - 5_000;
    const berlin = new Date(instant + 3_600_000).toISOString().replace('Z', '+01:00');
    expect((await report([at(berlin)])).statusCode).toBe(202);
    expect(h.positions.latest.get('r-1')?.recordedAt).toBe(instant);
  });

  it('counts out-of-order and stale pings as dropped, not as errors', async () => {
    await harness();
    expect((await report([at(ago(1_000))])).json()).toEqual({ accepted: 1, dropped: 0, implausible: 0 });
    // An older fix after a newer one (a late retry), and a fix from two minutes ago.
    expect((await report([at(ago(3_000))])).json()).toEqual({ accepted: 0, dropped: 1, implausible: 0 });
    expect((await report([at(ago(120_000))])).json()).toEqual({ accepted: 0, dropped: 1, implausible: 0 });
    // Buffered fixes in one request, oldest first: each is newer than the one before.
    const buffered = [at(ago(900)), at(ago(600)), at(ago(300))];
    expect((await report(buffered)).json()).toEqual({ accepted: 3, dropped: 0, implausible: 0 });
    expect(h.positions.latest.get('r-1')?.recordedAt).toBe(Date.parse(buffered[2]!.recordedAt));
  });

  it('answers a fix dropped as implausible with 202 and its count: the app keeps pinging, never retries it', async () => {
    await harness();
    // The index keeps the rider where they were for the far fix (RIDER_POSITION_CHECK=enforce).
    h.positions.judge = (p) => (p.lat > 53 ? { status: 'dropped_implausible' } : undefined);
    const res = await report([at(ago(900)), at(ago(600), 53.5), at(ago(300))]);
    expect(res.statusCode).toBe(202);
    expect(res.json()).toEqual({ accepted: 2, dropped: 1, implausible: 1 });
    // A jump the index used anyway (flag mode) is not announced to the app.
    h.positions.judge = (p) => (p.lat > 53 ? { status: 'accepted', jump: 'flagged' } : undefined);
    expect((await report([at(ago(100), 53.5)])).json()).toEqual({ accepted: 1, dropped: 0, implausible: 0 });
  });

  it('refuses the whole request when one ping is malformed, and writes none of it', async () => {
    await harness();
    const future = new Date(Date.now() + 120_000).toISOString();
    const res = await report([at(ago(1_000)), at(future)]);
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({
      code: 'VALIDATION_FAILED',
      fields: [{ field: 'pings[1].recordedAt', message: 'is more than 30 s in the future' }],
    });
    expect(h.positions.written).toEqual([]);
  });

  it('answers 503 with Retry-After at once while Redis is known to be down, writing nothing', async () => {
    await harness({ env: { RETRY_AFTER_SECONDS: '3' } });
    h.positions.available = false;
    const res = await report([at(ago(1_000))]);
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBe('3');
    expect(res.json()).toMatchObject({ code: 'POSITIONS_UNAVAILABLE' });
    expect(h.positions.written).toEqual([]);
  });

  it('answers 503 when the write itself fails, without Redis details', async () => {
    await harness();
    h.positions.failing = true;
    const res = await report([at(ago(1_000))]);
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBe('5');
    expect(res.json()).toMatchObject({
      code: 'POSITIONS_UNAVAILABLE',
      message: 'rider positions cannot be stored right now; retry later',
    });
    expect(res.body).not.toMatch(/ECONNREFUSED|6379/);
  });
});

describe('the ping path does the minimum', () => {
  it('calls no service, and ignores Idempotency-Key (a ping is idempotent by its timestamp)', async () => {
    const store = new MemoryIdempotencyStore();
    await harness({ idempotency: store });
    const pings = [at(ago(1_000))];
    const first = await report(pings, 'r-1', { 'idempotency-key': 'ping-1' });
    const again = await report(pings, 'r-1', { 'idempotency-key': 'ping-1' });
    expect(first.json()).toEqual({ accepted: 1, dropped: 0, implausible: 0 });
    // Not a replay: the writer saw the repeat and dropped it.
    expect(again.json()).toEqual({ accepted: 0, dropped: 1, implausible: 0 });
    expect(again.headers['idempotent-replayed']).toBeUndefined();
    expect(store.records.size).toBe(0);
    expect(h.dispatch.calls).toEqual([]);
    expect(h.backend.placeCalls).toEqual([]);
  });

  it('logs successful pings at debug only', async () => {
    const lines: string[] = [];
    const logger = createLogger({
      service: 'gateway-test',
      level: 'info',
      destination: { write: (l: string) => void lines.push(l) },
    });
    await harness({ logger });
    for (let i = 0; i < 5; i += 1) expect((await report([at(ago(5_000 - i * 1_000))])).statusCode).toBe(202);
    expect(lines).toEqual([]);
  });

  it('fits a minute of a rider’s traffic (a ping every 5 s, an offer poll every second) in the default budget', async () => {
    await harness();
    const statuses: number[] = [];
    for (let s = 0; s < 60; s += 1) {
      if (s % 5 === 0) statuses.push((await report([at(ago(60_000 - s * 1_000))])).statusCode);
      statuses.push((await h.call({ url: '/v1/rider/offer', as: ['rider', 'r-1'] })).statusCode);
    }
    expect(statuses).toHaveLength(72);
    expect(statuses.every((s) => s < 300)).toBe(true);
    const last = await h.call({ url: '/v1/rider/offer', as: ['rider', 'r-1'] });
    expect(last.headers['x-ratelimit-limit']).toBe('600');
  });
});
