import { codedError, err, ok } from '@mealpeak/core';
import { MerchantServiceService, type ReserveStockResponse } from '@mealpeak/contracts/merchant.v1';
import { createGrpcServer, type GrpcServer, type UnaryImplementation } from '@mealpeak/grpc';
import type { Logger } from '@mealpeak/telemetry';

/**
 * A merchant service double over real gRPC, for order-service process tests: it reserves any
 * item at 10.00 CNY and remembers reservations and releases.
 */
export async function startFakeMerchant(
  logger: Logger,
): Promise<{ server: GrpcServer; target: string; released: string[] }> {
  const released: string[] = [];
  const unimplemented = async () => err(codedError('unavailable', 'UNIMPLEMENTED', 'not in the fake'));
  const impl: UnaryImplementation<typeof MerchantServiceService> = {
    listMerchants: unimplemented,
    getMerchant: unimplemented,
    upsertMerchant: unimplemented,
    upsertMenuItem: unimplemented,
    setStock: unimplemented,
    changeStock: unimplemented,
    setMerchantStatus: unimplemented,
    setMerchantAddress: unimplemented,
    updateMerchantProfile: unimplemented,
    acceptOrder: unimplemented,
    rejectOrder: unimplemented,
    markOrderReady: unimplemented,
    reserveStock: async (req) => {
      const price = { amountMinor: 1000, currency: 'CNY' };
      const response: ReserveStockResponse = {
        lines: req.lines.map((l) => ({
          itemId: l.itemId,
          name: `item ${l.itemId}`,
          quantity: l.quantity,
          unitPrice: price,
          lineTotal: { amountMinor: 1000 * l.quantity, currency: 'CNY' },
        })),
        total: { amountMinor: req.lines.reduce((s, l) => s + 1000 * l.quantity, 0), currency: 'CNY' },
        location: { lat: 31.23, lng: 121.45 },
        prepEstimateSeconds: 600,
        reservedUntil: new Date(Date.now() + 120_000),
        merchantName: `Kitchen ${req.merchantId}`,
        pickupAddress: '1 Nanjing East Road, Shanghai',
      };
      return ok(response);
    },
    releaseStock: async (req) => {
      released.push(req.orderId);
      return ok({ released: true });
    },
  };
  const server = createGrpcServer({ logger, host: '127.0.0.1', port: 0 });
  server.add(MerchantServiceService, impl);
  await server.start();
  return { server, target: `127.0.0.1:${server.port}`, released };
}
