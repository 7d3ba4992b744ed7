import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { OrderState, OrderStateChanged } from '@mealpeak/contracts/order.v1';
import { EVENTS } from '@mealpeak/kafka';
import { eventually } from '@mealpeak/testing';
import { startPlatform, type Platform } from './platform.ts';

/**
 * Scale-in under load (issue: graceful scale-in in every service): with two replicas of each
 * service taking steady traffic, one replica of each receives SIGTERM, as Kubernetes sends it.
 * Every request must succeed within the client's retry (one retry of a 503 or a dropped
 * connection, with the same Idempotency-Key), each replica must exit 0 by itself, and every
 * accepted order must have exactly one PLACED event on Kafka and a confirmed reservation.
 */
describe('graceful scale-in under steady load', () => {
  let p: Platform;
  beforeAll(async () => {
    p = await startPlatform({ replicas: { order: 2, merchant: 2, gateway: 2 } });
    await p.seedMerchant('m-scale', [{ id: 'dish', stock: 100_000 }]);
  }, 180_000);
  afterAll(async () => p?.stop(), 60_000);

  it('loses no request beyond one retry and no event while a replica of each service stops', async () => {
    const tokens = await Promise.all(
      Array.from({ length: 20 }, (_, i) => p.token('customer', `c-scale-${i}`)),
    );
    const results: { status: number; attempts: number; id?: string }[] = [];
    const place = async (i: number) => {
      const key = randomUUID();
      const body = {
        merchantId: 'm-scale',
        lines: [{ itemId: 'dish', quantity: 1 }],
        dropoff: { lat: 31.23, lng: 121.47 },
        dropoffAddress: 'x',
      };
      for (let attempt = 1; ; attempt++) {
        const res = await p
          .http('POST', '/v1/orders', {
            token: tokens[i % tokens.length]!,
            body,
            headers: { 'idempotency-key': key },
          })
          .catch(() => ({ status: 0, body: undefined, headers: new Headers() }));
        const retryable = res.status === 0 || res.status === 502 || res.status === 503 || res.status === 504;
        if (!retryable || attempt === 2) {
          results.push({
            status: res.status,
            attempts: attempt,
            ...(res.body?.id ? { id: res.body.id as string } : {}),
          });
          return;
        }
        await sleep(100);
      }
    };

    // 25 orders a second for 16 s, open model: each one starts on schedule whatever the others do.
    const inFlight: Promise<void>[] = [];
    const started = Date.now();
    const exits: Promise<number | string>[] = [];
    for (let i = 0; i < 400; i++) {
      await sleep(Math.max(0, started + i * 40 - Date.now()));
      inFlight.push(place(i));
      if (i === 100) exits.push(p.stack.kill('order', 1, 'SIGTERM'));
      if (i === 200) exits.push(p.stack.kill('merchant', 1, 'SIGTERM'));
      if (i === 300) exits.push(p.stack.kill('gateway', 1, 'SIGTERM'));
    }
    await Promise.all(inFlight);
    expect(await Promise.all(exits)).toEqual([0, 0, 0]);

    const failed = results.filter((r) => r.status !== 201);
    expect(failed, JSON.stringify(failed.slice(0, 5))).toEqual([]);
    const ids = results.map((r) => r.id!);
    expect(new Set(ids).size).toBe(400);

    // Exactly one PLACED event per order: none lost, none doubled.
    await eventually(
      () => {
        const placed = p
          .events('order.events.v1')
          .filter(
            (e) =>
              e.type === EVENTS.orderStateChanged.name &&
              OrderStateChanged.decode(e.payload).toState === OrderState.ORDER_STATE_PLACED,
          );
        return placed.length >= 400 ? placed : undefined;
      },
      60_000,
      'a PLACED event for every order',
    );
    await sleep(1_000);
    const placed = p
      .events('order.events.v1')
      .filter(
        (e) =>
          e.type === EVENTS.orderStateChanged.name &&
          OrderStateChanged.decode(e.payload).toState === OrderState.ORDER_STATE_PLACED,
      );
    expect(placed.map((e) => e.key).sort()).toEqual([...ids].sort());
    expect(new Set(placed.map((e) => e.eventId)).size).toBe(400);

    // The merchant replica that left handed its partitions over: every reservation is confirmed.
    const db = new pg.Client({ connectionString: p.db.url });
    await db.connect();
    try {
      await eventually(
        async () => {
          const { rows } = await db.query<{ state: string; n: number }>(
            `SELECT state, count(*)::int AS n FROM merchants.reservations WHERE order_id = ANY($1) GROUP BY state`,
            [ids],
          );
          return rows.length === 1 && rows[0]?.state === 'confirmed' && rows[0].n === 400 ? true : undefined;
        },
        60_000,
        'every reservation confirmed',
      );
    } finally {
      await db.end();
    }
    // Report, for the record, how many requests needed their one retry.
    const retried = results.filter((r) => r.attempts > 1).length;
    console.log(`scale-in: 400 orders, ${retried} needed a retry, 0 failed`);
  }, 180_000);
});
