import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { codedError, err, ok } from '@mealpeak/core';
import { createGrpcServer, type GrpcServer } from '@mealpeak/grpc';
import { createLogger } from '@mealpeak/telemetry';
import { MerchantServiceService, type SetStockRequest } from '@mealpeak/contracts/merchant.v1';
import { createMerchantGrpcAdapter } from '../src/adapters/merchant-grpc.ts';
import { createHarness, type Harness } from './support/harness.ts';

/**
 * A new gateway in front of a merchant service from before ChangeStock (a rolling upgrade that
 * deployed the gateway first): a plain set still works; an add or a conditional set is refused
 * with 503 and writes nothing, where SetStock would have ignored the new fields and written
 * `stock` (0 for an add).
 */
const logger = createLogger({ service: 'gateway-test', level: 'silent' });
const unimplemented = async () => err(codedError('unavailable', 'UNIMPLEMENTED', 'not in this fake'));
const item = (stock: number) => ({
  id: 'i-1',
  merchantId: 'm-1',
  name: 'Pho',
  description: '',
  price: { amountMinor: 1290, currency: 'EUR' },
  stock,
  available: true,
});

let server: GrpcServer;
let h: Harness | undefined;
let adapter: { close(): void } | undefined;
const setStockCalls: SetStockRequest[] = [];

beforeAll(async () => {
  server = createGrpcServer({ logger, host: '127.0.0.1', port: 0 });
  // The old service definition: no ChangeStock method at all (nor the later UpdateMerchantProfile).
  const { changeStock: _new, updateMerchantProfile: _newer, ...oldDefinition } = MerchantServiceService;
  server.add(oldDefinition, {
    listMerchants: unimplemented,
    getMerchant: unimplemented,
    upsertMerchant: unimplemented,
    upsertMenuItem: unimplemented,
    setStock: async (req) => {
      setStockCalls.push(req);
      return ok({ item: item(req.stock) });
    },
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
  setStockCalls.length = 0;
});
afterAll(async () => server?.shutdown(1_000));

async function gateway(): Promise<Harness> {
  const merchants = createMerchantGrpcAdapter({ target: `127.0.0.1:${server.port}`, deadlineMs: 3_000 });
  adapter = merchants;
  h = await createHarness({ ports: { merchants } });
  return h;
}

describe('PUT …/stock against a merchant service without ChangeStock', () => {
  const put = (payload: object) =>
    h!.call({ method: 'PUT', url: '/v1/merchant/menu/items/i-1/stock', payload, as: ['merchant', 'm-1'] });

  it('still sets the units left', async () => {
    await gateway();
    const res = await put({ stock: 7 });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ stock: 7 });
    expect(setStockCalls).toEqual([{ merchantId: 'm-1', itemId: 'i-1', stock: 7 }]);
  });

  it('refuses an add or a conditional set with 503, and never sends them as SetStock', async () => {
    await gateway();
    for (const payload of [{ add: 5 }, { stock: 9, expectedStock: 7 }]) {
      const res = await put(payload);
      expect(res.statusCode).toBe(503);
      expect(res.json()).toMatchObject({ code: 'UPSTREAM_UNIMPLEMENTED' });
    }
    expect(setStockCalls).toEqual([]);
  });
});
