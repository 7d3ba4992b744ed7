import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unwrap } from '@mealpeak/core';
import { MerchantServiceClient, MerchantServiceService } from '@mealpeak/contracts/merchant.v1';
import { call, createGrpcClient, createGrpcServer, type GrpcServer } from '@mealpeak/grpc';
import { createLogger } from '@mealpeak/telemetry';
import { setAddressesInto } from '../scripts/set-addresses.ts';
import { merchantInput } from '../src/app/test-support/fixtures.ts';
import { createMerchantDb, SCHEMA, type MerchantDb } from './support.ts';

const logger = createLogger({ service: 'merchant-test', level: 'silent' });

describe('addresses for merchants onboarded without one (gRPC, the backfill script; PostgreSQL)', () => {
  let mdb: MerchantDb;
  let server: GrpcServer;
  let client: MerchantServiceClient;

  beforeAll(async () => {
    mdb = await createMerchantDb(4);
    const { service } = mdb.service();
    for (const id of ['m1', 'm2', 'm3'])
      unwrap(
        await service.useCases.upsertMerchant(
          merchantInput({ id, address: undefined, basePrepSeconds: 600 }),
        ),
      );
    server = createGrpcServer({ logger, host: '127.0.0.1', port: 0 });
    server.add(MerchantServiceService, service.grpc);
    await server.start();
    client = createGrpcClient(MerchantServiceClient, MerchantServiceService, {
      target: `127.0.0.1:${server.port}`,
      defaultDeadlineMs: 5_000,
      idempotent: [],
    });
  });
  afterAll(async () => {
    client?.close();
    await server?.shutdown(1_000);
    await mdb?.close();
  });

  const getMerchant = async (merchantId: string) =>
    unwrap(await call(client.getMerchant.bind(client), { merchantId })).merchant!;

  it('GetMerchant shows the base preparation time and currency, so a read-modify-write keeps them', async () => {
    // A busy kitchen: the estimate is the base grown with the backlog.
    await mdb.pool.query('UPDATE merchants SET backlog = 6 WHERE id = $1', ['m1']);
    const read = await getMerchant('m1');
    expect(read).toMatchObject({ basePrepSeconds: 600, currency: 'EUR', address: '' });
    expect(read.prepEstimateSeconds).toBeGreaterThan(600);
    const written = unwrap(
      await call(client.upsertMerchant.bind(client), {
        ...read,
        merchantId: read.id,
        address: 'Torstraße 12, 10119 Berlin',
      }),
    ).merchant!;
    expect(written).toMatchObject({
      basePrepSeconds: 600,
      currency: 'EUR',
      address: 'Torstraße 12, 10119 Berlin',
    });
  });

  it('SetMerchantAddress sets the address alone; NOT_FOUND for an unknown merchant', async () => {
    await mdb.pool.query('UPDATE merchants SET backlog = 3 WHERE id = $1', ['m2']);
    const before = await getMerchant('m2');
    const set = unwrap(
      await call(client.setMerchantAddress.bind(client), { merchantId: 'm2', address: ' Mehringdamm 36 ' }),
    ).merchant!;
    expect(set).toEqual({ ...before, address: 'Mehringdamm 36' });
    expect(await getMerchant('m2')).toEqual(set);
    expect(
      await call(client.setMerchantAddress.bind(client), { merchantId: 'nobody', address: 'Torstraße 1' }),
    ).toMatchObject({ ok: false, error: { kind: 'not_found', code: 'MERCHANT_NOT_FOUND' } });
    expect(
      await call(client.setMerchantAddress.bind(client), { merchantId: 'm2', address: 'Torstraße\u202E 1' }),
    ).toMatchObject({
      ok: false,
      error: { kind: 'invalid', code: 'INVALID_ARGUMENT', fields: [{ field: 'address' }] },
    });
  });

  it('the script sets the addresses of a file and reports each row', async () => {
    const report = await setAddressesInto(
      { pgUrl: mdb.db.url, schema: SCHEMA, logger },
      'merchant_id,address\nm3,"Weinmeisterstraße 9, 10178 Berlin"\nm9,Torstraße 1\n',
    );
    expect(report).toEqual({
      set: 1,
      failed: 1,
      lines: [
        'line 2: m3: "Weinmeisterstraße 9, 10178 Berlin"',
        'line 3: m9: MERCHANT_NOT_FOUND: merchant m9 does not exist',
      ],
    });
    expect(await getMerchant('m3')).toMatchObject({
      address: 'Weinmeisterstraße 9, 10178 Berlin',
      basePrepSeconds: 600,
    });
  });
});
