import { mapResult } from '@mealpeak/core';
import type { MerchantServiceService } from '@mealpeak/contracts/merchant.v1';
import type { UnaryImplementation } from '@mealpeak/grpc';
import type { UseCases } from '../app/use-cases.ts';
import {
  statusName,
  toProtoMenuItem,
  toProtoMerchant,
  toProtoOrderLine,
} from '../adapters/merchant-proto.ts';

/**
 * MerchantService over gRPC: requests mapped to use-case inputs, results to responses. Errors pass
 * through as coded values; @mealpeak/grpc maps their kind to the status and keeps the code.
 */
export function createMerchantGrpcHandlers(uc: UseCases): UnaryImplementation<typeof MerchantServiceService> {
  return {
    listMerchants: async (req, call) =>
      mapResult(await uc.listMerchants({ ...req, near: req.near }, { signal: call.signal }), (page) => ({
        merchants: page.merchants.map((m) => ({
          merchant: toProtoMerchant(m.merchant),
          distanceM: Math.round(m.distanceM),
        })),
        nextPageToken: page.nextPageToken,
      })),

    getMerchant: async (req) =>
      mapResult(await uc.getMerchant(req.merchantId), ({ merchant, menu }) => ({
        merchant: toProtoMerchant(merchant),
        menu: menu.map(toProtoMenuItem),
      })),

    upsertMerchant: async (req) =>
      mapResult(await uc.upsertMerchant({ ...req, id: req.merchantId, location: req.location }), (m) => ({
        merchant: toProtoMerchant(m),
      })),

    upsertMenuItem: async (req) =>
      mapResult(
        await uc.upsertMenuItem({ ...req, price: req.price, stock: req.keepStock ? undefined : req.stock }),
        (item) => ({
          item: toProtoMenuItem(item),
        }),
      ),

    setStock: async (req) =>
      mapResult(
        await uc.setStock({ merchantId: req.merchantId, itemId: req.itemId, stock: req.stock }),
        (item) => ({
          item: toProtoMenuItem(item),
        }),
      ),

    changeStock: async (req) =>
      mapResult(await uc.setStock(req), (item) => ({ item: toProtoMenuItem(item) })),

    setMerchantStatus: async (req) =>
      mapResult(
        await uc.setMerchantStatus({ merchantId: req.merchantId, status: statusName(req.status) }),
        (m) => ({
          merchant: toProtoMerchant(m),
        }),
      ),

    setMerchantAddress: async (req) =>
      mapResult(await uc.setMerchantAddress(req), (m) => ({ merchant: toProtoMerchant(m) })),

    updateMerchantProfile: async (req) =>
      mapResult(
        // The windows' wrapper tells "keep the hours" (absent) from "never open" (no windows).
        await uc.updateMerchantProfile({ ...req, openingHours: req.openingHours?.windows }),
        ({ merchant, menu }) => ({ merchant: toProtoMerchant(merchant), menu: menu.map(toProtoMenuItem) }),
      ),

    reserveStock: async (req) =>
      mapResult(await uc.reserveStock(req), (r) => ({
        lines: r.lines.map((l) => toProtoOrderLine(l, r.currency)),
        total: { amountMinor: r.totalMinor, currency: r.currency },
        location: { ...r.location },
        prepEstimateSeconds: r.prepEstimateSeconds,
        reservedUntil: r.reservedUntil,
        merchantName: r.merchantName,
        pickupAddress: r.pickupAddress,
      })),

    releaseStock: async (req) => uc.releaseStock(req),

    acceptOrder: async (req, call) =>
      mapResult(await uc.acceptOrder(req, { deadline: call.deadline }), (order) => ({ order })),

    rejectOrder: async (req, call) =>
      mapResult(await uc.rejectOrder(req, { deadline: call.deadline }), (order) => ({ order })),

    markOrderReady: async (req, call) =>
      mapResult(await uc.markOrderReady(req, { deadline: call.deadline }), (order) => ({ order })),
  };
}
