import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { codedError, err, ok } from '@mealpeak/core';
import { createGrpcServer, type GrpcServer } from '@mealpeak/grpc';
import { createLogger } from '@mealpeak/telemetry';
import { MerchantServiceService } from '@mealpeak/contracts/merchant.v1';
import { createMerchantGrpcAdapter } from '../src/adapters/merchant-grpc.ts';
import { merchantFixture } from './support/fake-ports.ts';
import { createHarness, type Harness } from './support/harness.ts';

/**
 * A new gateway in front of a merchant service of the release before UpdateMerchantProfile (a
 * rolling upgrade that deployed the gateway first): the store still reads, and an edit is refused
 * with a 503 that says to retry (grpc-js answers UNIMPLEMENTED before anything is written), not a
 * 500 and not a 4xx blaming the merchant's app. As ChangeStock's (adr/0022).
 */
const logger = createLogger({ service: 'gateway-test', level: 'silent' });
const unimplemented = async () => err(codedError('unavailable', 'UNIMPLEMENTED', 'not in this fake'));

let server: GrpcServer;
let h: Harness | undefined;
let adapter: { close(): void } | undefined;

beforeAll(async () => {
  server = createGrpcServer({ logger, host: '127.0.0.1', port: 0 });
  // The previous release's service definition: everything but UpdateMerchantProfile.
  const { updateMerchantProfile: _new, ...oldDefinition } = MerchantServiceService;
  server.add(oldDefinition, {
    listMerchants: unimplemented,
    getMerchant: async (req) => ok({ merchant: merchantFixture(req.merchantId), menu: [] }),
    upsertMerchant: unimplemented,
    upsertMenuItem: unimplemented,
    setStock: unimplemented,
    changeStock: unimplemented,
    setMerchantStatus: unimplemented,
    setMerchantAddress: unimplemented,
    reserveStock: unimplemented,
    releaseStock: unimplemented,
    acceptOrder: unimplemented,
    rejectOrder: unimplemented,
    markOrderReady: unimplemented,
  });
  await server.start();
});
afterEach(async () => {
  await h?.close();
  adapter?.close();
});
afterAll(async () => server?.shutdown(1_000));

describe('PATCH /v1/merchant against a merchant service without UpdateMerchantProfile', () => {
  it('answers 503 UPSTREAM_UNIMPLEMENTED with Retry-After; reading the store still works', async () => {
    const merchants = createMerchantGrpcAdapter({ target: `127.0.0.1:${server.port}`, deadlineMs: 3_000 });
    adapter = merchants;
    h = await createHarness({ ports: { merchants } });
    const res = await h.call({
      method: 'PATCH',
      url: '/v1/merchant',
      payload: { name: 'Curry 36' },
      as: ['merchant', 'm-1'],
    });
    expect(res.statusCode, res.body).toBe(503);
    expect(res.json()).toMatchObject({
      code: 'UPSTREAM_UNIMPLEMENTED',
      message: expect.stringContaining('UpdateMerchantProfile'),
    });
    expect(res.headers['retry-after']).toBe('5');
    const read = await h.call({ url: '/v1/merchant', as: ['merchant', 'm-1'] });
    expect(read.statusCode).toBe(200);
    expect(read.json()).toMatchObject({ merchant: { id: 'm-1', name: 'Kitchen m-1' } });
  });
});
