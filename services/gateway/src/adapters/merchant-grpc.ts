import { call, createGrpcClient } from '@mealpeak/grpc';
import { mapResult } from '@mealpeak/core';
import { MerchantServiceClient, MerchantServiceService } from '@mealpeak/contracts/merchant.v1';
import type { CallContext, MerchantPort } from '../app/ports.ts';
import { callSettings, required, unimplementedAs } from './grpc-result.ts';

export interface MerchantGrpcSettings {
  readonly target: string;
  /** GRPC_INTERNAL_TOKEN, sent with every call. */
  readonly internalToken?: string | undefined;
  readonly deadlineMs: number;
}

export function createMerchantGrpcAdapter(settings: MerchantGrpcSettings): MerchantPort & { close(): void } {
  const client = createGrpcClient(MerchantServiceClient, MerchantServiceService, {
    target: settings.target,
    defaultDeadlineMs: settings.deadlineMs,
    internalToken: settings.internalToken,
    // Reads only: the writes are not idempotent by a caller-chosen id, so a retry could apply twice.
    idempotent: ['listMerchants', 'getMerchant'],
  });
  const within = (ctx: CallContext) => callSettings(ctx, settings.deadlineMs);

  return {
    async listMerchants(request, ctx) {
      const res = await call(client.listMerchants.bind(client), request, within(ctx));
      return mapResult(res, (r) => ({ items: r.merchants, nextPageToken: r.nextPageToken }));
    },
    async getMerchant(merchantId, ctx) {
      const res = await call(client.getMerchant.bind(client), { merchantId }, within(ctx));
      return required(
        res,
        (r) => (r.merchant ? { merchant: r.merchant, menu: r.menu } : undefined),
        'a merchant',
      );
    },
    async upsertMenuItem(request, ctx) {
      const res = await call(client.upsertMenuItem.bind(client), request, within(ctx));
      return required(res, (r) => r.item, 'a menu item');
    },
    async setStock(merchantId, itemId, change, ctx) {
      // A plain set goes to SetStock, which every merchant release serves. add and expectedStock
      // need ChangeStock: a merchant from before it answers UNIMPLEMENTED (503) and writes nothing,
      // where SetStock would ignore the fields and write `stock` (0 for an add).
      if (change.add === undefined && change.expectedStock === undefined && change.stock !== undefined) {
        const res = await call(
          client.setStock.bind(client),
          { merchantId, itemId, stock: change.stock },
          within(ctx),
        );
        return required(res, (r) => r.item, 'a menu item');
      }
      const res = await call(client.changeStock.bind(client), { merchantId, itemId, ...change }, within(ctx));
      return required(
        unimplementedAs(res, 'a relative or conditional stock change (merchant ChangeStock)'),
        (r) => r.item,
        'a menu item',
      );
    },
    async setMerchantStatus(merchantId, status, ctx) {
      const res = await call(client.setMerchantStatus.bind(client), { merchantId, status }, within(ctx));
      return required(res, (r) => r.merchant, 'a merchant');
    },
    async updateMerchantProfile(request, ctx) {
      // A merchant service from before the RPC answers UNIMPLEMENTED before writing anything: a
      // 503 UPSTREAM_UNIMPLEMENTED, as ChangeStock's (adr/0022), until merchant is upgraded.
      const res = await call(client.updateMerchantProfile.bind(client), request, within(ctx));
      return required(
        unimplementedAs(res, "a store's profile edit (merchant UpdateMerchantProfile)"),
        (r) => (r.merchant ? { merchant: r.merchant, menu: r.menu } : undefined),
        'a merchant',
      );
    },
    async acceptOrder(merchantId, orderId, ctx) {
      const res = await call(client.acceptOrder.bind(client), { merchantId, orderId }, within(ctx));
      return required(res, (r) => r.order, 'an order');
    },
    async rejectOrder(merchantId, orderId, reason, ctx) {
      const res = await call(client.rejectOrder.bind(client), { merchantId, orderId, reason }, within(ctx));
      return required(res, (r) => r.order, 'an order');
    },
    async markOrderReady(merchantId, orderId, ctx) {
      const res = await call(client.markOrderReady.bind(client), { merchantId, orderId }, within(ctx));
      return required(res, (r) => r.order, 'an order');
    },
    close: () => client.close(),
  };
}
