import { call, createGrpcClient } from '@mealpeak/grpc';
import { mapResult } from '@mealpeak/core';
import {
  DispatchPhase,
  DispatchServiceClient,
  DispatchServiceService,
  NotOfferableReason,
  RiderStatus,
} from '@mealpeak/contracts/dispatch.v1';
import type { CallContext, DispatchPort } from '../app/ports.ts';
import { callSettings, required, unimplementedAs } from './grpc-result.ts';

export interface DispatchGrpcSettings {
  readonly target: string;
  /** GRPC_INTERNAL_TOKEN, sent with every call. */
  readonly internalToken?: string | undefined;
  readonly deadlineMs: number;
}

export function createDispatchGrpcAdapter(settings: DispatchGrpcSettings): DispatchPort & { close(): void } {
  const client = createGrpcClient(DispatchServiceClient, DispatchServiceService, {
    target: settings.target,
    defaultDeadlineMs: settings.deadlineMs,
    internalToken: settings.internalToken,
    // Every method is safe to repeat (services/rider-dispatch/src/domain/delivery/rules.ts): reads;
    // ReportPositions (pings are idempotent by their timestamp); MarkPickedUp/MarkDelivered (a repeat
    // answers OK and publishes nothing); RespondToOffer (the same answer again is OK, the other one
    // OFFER_ALREADY_ANSWERED); SetRiderOnline (sets the state the request names);
    // HoldForCancellation (holding again only moves the hold's end). The client only
    // retries UNAVAILABLE anyway. The gateway never calls ReportPositions: pings go straight to Redis.
    idempotent: [
      'getOffer',
      'getRider',
      'getDeliveryTracking',
      'listRiderOrders',
      'reportPositions',
      'markPickedUp',
      'markDelivered',
      'respondToOffer',
      'setRiderOnline',
      'holdForCancellation',
      'getDispatchStatus',
    ],
  });
  const within = (ctx: CallContext) => callSettings(ctx, settings.deadlineMs);

  return {
    async setRiderOnline(request, ctx) {
      const res = await call(client.setRiderOnline.bind(client), request, within(ctx));
      // A dispatch older than GetRider (a rolling upgrade) answers the status only: the shift is
      // then told as far as the status tells it (docs/api.md: upgrade dispatch first).
      return mapResult(
        res,
        (r) =>
          r.shift ?? {
            status: r.status,
            // Asked to go offline while delivering: an old dispatch keeps them online until the
            // last drop-off, as the new one does, and offers them nothing meanwhile.
            leaving: !request.online && r.status !== RiderStatus.RIDER_STATUS_OFFLINE,
            shiftEndsAt: undefined,
            offerable: request.online && r.status !== RiderStatus.RIDER_STATUS_OFFLINE,
            reason:
              r.status === RiderStatus.RIDER_STATUS_OFFLINE
                ? NotOfferableReason.NOT_OFFERABLE_REASON_OFFLINE
                : request.online
                  ? NotOfferableReason.NOT_OFFERABLE_REASON_UNSPECIFIED
                  : NotOfferableReason.NOT_OFFERABLE_REASON_LEAVING,
          },
      );
    },
    async getRider(riderId, ctx) {
      const res = await call(client.getRider.bind(client), { riderId }, within(ctx));
      return required(res, (r) => r.shift, 'a shift');
    },
    async getOffer(riderId, ctx) {
      const res = await call(client.getOffer.bind(client), { riderId }, within(ctx));
      return mapResult(res, (r) => r.offer);
    },
    async respondToOffer(riderId, offerId, accept, ctx) {
      const res = await call(client.respondToOffer.bind(client), { riderId, offerId, accept }, within(ctx));
      return required(
        res,
        (r) => (r.offer ? { offer: r.offer, accepted: r.accepted } : undefined),
        'an offer',
      );
    },
    async markPickedUp(riderId, orderId, ctx) {
      const res = await call(client.markPickedUp.bind(client), { riderId, orderId }, within(ctx));
      return required(res, (r) => r.orderId || undefined, 'an order id');
    },
    async markDelivered(riderId, orderId, ctx) {
      const res = await call(client.markDelivered.bind(client), { riderId, orderId }, within(ctx));
      return required(res, (r) => r.orderId || undefined, 'an order id');
    },
    async getDeliveryTracking(orderId, ctx) {
      const res = await call(client.getDeliveryTracking.bind(client), { orderId }, within(ctx));
      // The ETA is the point of tracking: an answer without one is a broken peer.
      return required(res, (r) => (r.eta ? r : undefined), 'an ETA');
    },
    async listRiderOrders(riderId, ctx) {
      // The gateway names RELEASED, so it asks for released orders too.
      const res = await call(
        client.listRiderOrders.bind(client),
        { riderId, includeReleased: true },
        within(ctx),
      );
      return mapResult(res, (r) => r.orders);
    },
    async holdForCancellation(orderId, ctx, release = false) {
      const res = await call(client.holdForCancellation.bind(client), { orderId, release }, within(ctx));
      return mapResult(res, () => undefined);
    },
    async getDispatchStatus(orderId, ctx) {
      const res = await call(client.getDispatchStatus.bind(client), { orderId }, within(ctx));
      // A dispatch from before GetDispatchStatus (deploy dispatch first) answers UNIMPLEMENTED.
      return required(
        unimplementedAs(res, 'the dispatch status of an order (rider-dispatch GetDispatchStatus)'),
        // The phase is the point of the answer: without one, a broken peer.
        (r) => (r.phase === DispatchPhase.DISPATCH_PHASE_UNSPECIFIED ? undefined : r),
        'a dispatch phase',
      );
    },
    close: () => client.close(),
  };
}
