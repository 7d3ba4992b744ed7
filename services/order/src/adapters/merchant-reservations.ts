import { ok, type CodedError, type Result } from '@mealpeak/core';
import { MerchantServiceClient, MerchantServiceService } from '@mealpeak/contracts/merchant.v1';
import { call, createGrpcClient } from '@mealpeak/grpc';
import type { StockReservations } from '../app/ports.ts';
import type { PlaceOrderInput, Reservation } from '../domain/placement.ts';

export interface MerchantClientSettings {
  target: string;
  /** GRPC_INTERNAL_TOKEN, sent with every call. */
  internalToken?: string | undefined;
  /** ReserveStock deadline: well below the order service's own callers' deadlines. */
  deadlineMs: number;
}

/** StockReservations over gRPC to the merchant service (docs/adr/0006). */
export function createMerchantReservations(
  settings: MerchantClientSettings,
): StockReservations & { close(): void } {
  const client = createGrpcClient(MerchantServiceClient, MerchantServiceService, {
    target: settings.target,
    defaultDeadlineMs: settings.deadlineMs,
    internalToken: settings.internalToken,
    // Both are idempotent on the order id, so a retry after UNAVAILABLE is safe.
    idempotent: ['reserveStock', 'releaseStock'],
  });
  return {
    async reserve(input: PlaceOrderInput, parentDeadline?: Date): Promise<Result<Reservation, CodedError>> {
      const res = await call(
        client.reserveStock.bind(client),
        {
          orderId: input.orderId,
          merchantId: input.merchantId,
          lines: input.lines.map((l) => ({ ...l })),
          // The merchant refuses a drop-off outside its delivery area (OUT_OF_DELIVERY_AREA).
          dropoff: input.dropoff && { lat: input.dropoff.lat, lng: input.dropoff.lng },
        },
        { deadlineMs: settings.deadlineMs, parentDeadline },
      );
      if (!res.ok) return res;
      const r = res.value;
      return ok({
        lines: r.lines.map((l) => ({
          itemId: l.itemId,
          name: l.name,
          quantity: l.quantity,
          unitPrice: { amountMinor: l.unitPrice?.amountMinor ?? 0, currency: l.unitPrice?.currency ?? '' },
          lineTotal: { amountMinor: l.lineTotal?.amountMinor ?? 0, currency: l.lineTotal?.currency ?? '' },
        })),
        total: { amountMinor: r.total?.amountMinor ?? 0, currency: r.total?.currency ?? '' },
        pickup: { lat: r.location?.lat ?? 0, lng: r.location?.lng ?? 0 },
        merchantName: r.merchantName,
        pickupAddress: r.pickupAddress,
        prepEstimateSeconds: r.prepEstimateSeconds,
        reservedUntil: r.reservedUntil,
      });
    },
    async release(orderId: string, reason: string): Promise<Result<void, CodedError>> {
      const res = await call(
        client.releaseStock.bind(client),
        { orderId, reason },
        { deadlineMs: settings.deadlineMs },
      );
      return res.ok ? ok(undefined) : res;
    },
    close: () => client.close(),
  };
}
