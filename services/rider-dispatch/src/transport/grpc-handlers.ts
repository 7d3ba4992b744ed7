import { ok } from '@mealpeak/core';
import type { DispatchServiceService } from '@mealpeak/contracts/dispatch.v1';
import type { UnaryImplementation } from '@mealpeak/grpc';
import type { DispatchUseCases } from '../app.ts';
import {
  dispatchStatusToProto,
  offerToProto,
  riderShiftToProto,
  riderStatusToProto,
  runOrderToProto,
} from './proto-mapping.ts';

/** gRPC DispatchService: wire <-> use cases, nothing else. */
export function dispatchGrpcHandlers(
  useCases: DispatchUseCases,
): UnaryImplementation<typeof DispatchServiceService> {
  return {
    setRiderOnline: async (req) => {
      const result = await useCases.setRiderOnline({
        riderId: req.riderId,
        online: req.online,
        position: req.position,
        shiftEndsAt: req.shiftEndsAt,
        stayOnline: req.stayOnline,
      });
      return result.ok
        ? ok({ status: riderStatusToProto(result.value), shift: riderShiftToProto(result.value) })
        : result;
    },

    getRider: async (req) => {
      const result = await useCases.getRider(req.riderId);
      return result.ok ? ok({ shift: riderShiftToProto(result.value) }) : result;
    },

    reportPositions: async (req) =>
      useCases.reportPositions(
        req.pings.map((p) => ({
          riderId: p.riderId,
          // Missing fields become NaN so validation names them instead of guessing a value.
          lat: p.position?.lat ?? Number.NaN,
          lng: p.position?.lng ?? Number.NaN,
          recordedAt: p.recordedAt?.getTime() ?? Number.NaN,
        })),
      ),

    getOffer: async (req) => {
      const offer = await useCases.getOffer(req.riderId);
      if (!offer.ok) return offer;
      return ok({ offer: offer.value && offerToProto(offer.value) });
    },

    respondToOffer: async (req) => {
      const result = await useCases.respondToOffer(req.riderId, req.offerId, req.accept);
      return result.ok
        ? ok({ offer: offerToProto(result.value.offer), accepted: result.value.accepted })
        : result;
    },

    markPickedUp: async (req) => {
      const result = await useCases.markPickedUp(req.riderId, req.orderId);
      return result.ok ? ok({ orderId: req.orderId }) : result;
    },

    markDelivered: async (req) => {
      const result = await useCases.markDelivered(req.riderId, req.orderId);
      return result.ok ? ok({ orderId: req.orderId }) : result;
    },

    holdForCancellation: async (req) => {
      const result = await useCases.holdForCancellation(req.orderId, req.release);
      return result.ok ? ok({}) : result;
    },

    getDeliveryTracking: async (req) => {
      const result = await useCases.getDeliveryTracking(req.orderId);
      if (!result.ok) return result;
      const t = result.value;
      return ok({
        orderId: t.orderId,
        riderId: t.riderId ?? '',
        riderPosition: t.riderPosition,
        positionAt: t.positionAt,
        eta: t.eta,
      });
    },

    getDispatchStatus: async (req) => {
      const result = await useCases.getDispatchStatus(req.orderId);
      return result.ok ? ok(dispatchStatusToProto(result.value)) : result;
    },

    listRiderOrders: async (req) => {
      const result = await useCases.listRiderOrders(req.riderId, req.includeReleased);
      return result.ok ? ok({ orders: result.value.map(runOrderToProto) }) : result;
    },
  };
}
