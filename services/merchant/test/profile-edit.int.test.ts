import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unwrap } from '@mealpeak/core';
import {
  MerchantServiceClient,
  MerchantServiceService,
  MerchantStatus,
} from '@mealpeak/contracts/merchant.v1';
import { call, createGrpcClient, createGrpcServer, type GrpcServer } from '@mealpeak/grpc';
import { createLogger } from '@mealpeak/telemetry';
import type { UseCases } from '../src/app/use-cases.ts';
import { itemInput, merchantInput } from '../src/app/test-support/fixtures.ts';
import { createMerchantDb, type MerchantDb } from './support.ts';

const logger = createLogger({ service: 'merchant-test', level: 'silent' });

describe('UpdateMerchantProfile (gRPC, PostgreSQL)', () => {
  let mdb: MerchantDb;
  let uc: UseCases;
  let server: GrpcServer;
  let client: MerchantServiceClient;

  beforeAll(async () => {
    mdb = await createMerchantDb(8);
    const { service } = mdb.service();
    uc = service.useCases;
    for (const id of ['m1', 'm2', 'm3']) unwrap(await uc.upsertMerchant(merchantInput({ id })));
    unwrap(await uc.upsertMenuItem(itemInput('burger', { stock: 7 })));
    server = createGrpcServer({ logger, host: '127.0.0.1', port: 0 });
    server.add(MerchantServiceService, service.grpc);
    await server.start();
    client = createGrpcClient(MerchantServiceClient, MerchantServiceService, {
      target: `127.0.0.1:${server.port}`,
      defaultDeadlineMs: 10_000,
      idempotent: [],
    });
  });
  afterAll(async () => {
    client?.close();
    await server?.shutdown(1_000);
    await mdb?.close();
  });

  const read = async (merchantId: string) =>
    unwrap(await call(client.getMerchant.bind(client), { merchantId })).merchant!;
  const update = (request: Parameters<MerchantServiceClient['updateMerchantProfile']>[0]) =>
    call(client.updateMerchantProfile.bind(client), request);

  it('writes the fields present and keeps the others; answers the store with its menu', async () => {
    const before = await read('m1');
    const res = unwrap(await update({ merchantId: 'm1', name: 'Curry 36', kitchenCapacity: 6 }));
    // Capacity 2 -> 6: the auto-pause threshold follows as the same multiple (4 -> 12).
    expect(res.merchant).toEqual({ ...before, name: 'Curry 36', kitchenCapacity: 6, autoPauseBacklog: 12 });
    expect(res.menu.map((i) => [i.id, i.stock])).toEqual([['burger', 7]]);
    expect(await read('m1')).toEqual(res.merchant);
  });

  it('keeps the opening hours when absent, replaces them when present, clears them with no windows', async () => {
    const lunch = [{ dayOfWeek: 0, openMinute: 690, closeMinute: 840 }];
    unwrap(await update({ merchantId: 'm2', address: ' Torstraße 1 ' }));
    expect(await read('m2')).toMatchObject({
      address: 'Torstraße 1',
      openingHours: merchantInput().openingHours,
    });
    unwrap(await update({ merchantId: 'm2', openingHours: { windows: lunch } }));
    expect((await read('m2')).openingHours).toEqual(lunch);
    const closed = unwrap(await update({ merchantId: 'm2', openingHours: { windows: [] } })).merchant!;
    expect(closed).toMatchObject({ openingHours: [], status: MerchantStatus.MERCHANT_STATUS_CLOSED });
  });

  it('answers INVALID_ARGUMENT naming the field, and NOT_FOUND for an unknown merchant', async () => {
    expect(await update({ merchantId: 'm2', timeZone: '+01:00' })).toMatchObject({
      ok: false,
      error: { kind: 'invalid', code: 'INVALID_ARGUMENT', fields: [{ field: 'time_zone' }] },
    });
    expect(await update({ merchantId: 'm2' })).toMatchObject({
      ok: false,
      error: { kind: 'invalid', code: 'INVALID_ARGUMENT' },
    });
    expect(await update({ merchantId: 'nobody', name: 'Ghost' })).toMatchObject({
      ok: false,
      error: { kind: 'not_found', code: 'MERCHANT_NOT_FOUND' },
    });
  });

  /** Until `n` statements of this database wait for a lock (no sleeps: the interleaving is fixed). */
  async function lockWaiters(n: number): Promise<void> {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const { rows } = await mdb.pool.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM pg_stat_activity
         WHERE datname = current_database() AND wait_event_type = 'Lock'`,
      );
      if ((rows[0]?.n ?? 0) >= n) return;
      if (Date.now() > deadline) throw new Error(`fewer than ${n} lock waiters`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  it('concurrent edits of different fields all land', async () => {
    // A transaction holds the row while four edits arrive: they all read and queue before any
    // writes, which is where a read-modify-write of the whole profile loses all but the last.
    const holder = await mdb.pool.connect();
    let edits: Promise<unknown>[];
    try {
      await holder.query('BEGIN');
      await holder.query(`SELECT 1 FROM merchants WHERE id = 'm3' FOR UPDATE`);
      edits = [
        uc.updateMerchantProfile({ merchantId: 'm3', name: 'Curry Kreuzberg' }),
        uc.updateMerchantProfile({ merchantId: 'm3', kitchenCapacity: 9 }),
        uc.updateMerchantProfile({ merchantId: 'm3', basePrepSeconds: 420, timeZone: 'Europe/Paris' }),
        uc.updateMerchantProfile({ merchantId: 'm3', address: 'Mehringdamm 36' }),
      ];
      await lockWaiters(4);
    } finally {
      await holder.query('COMMIT');
      holder.release();
    }
    for (const res of await Promise.all(edits)) expect(res).toMatchObject({ ok: true });
    expect(await read('m3')).toMatchObject({
      name: 'Curry Kreuzberg',
      kitchenCapacity: 9,
      basePrepSeconds: 420,
      timeZone: 'Europe/Paris',
      address: 'Mehringdamm 36',
      // Capacity 2 -> 9 carried the threshold along (4 -> 18), read from the row as locked.
      autoPauseBacklog: 18,
      // Untouched by any of them.
      currency: 'EUR',
      deliveryRadiusM: merchantInput().deliveryRadiusM,
    });
  });
});
