import { err, ok, type CodedError, type Result } from '@mealpeak/core';
import type { Logger } from '@mealpeak/telemetry';
import type { DispatchParams } from '../domain/dispatch/index.ts';
import type { DispatchOrder } from '../domain/delivery/model.ts';
import { DispatchErrors } from '../domain/errors.ts';
import { createLocalProjection, type LatLng } from '../domain/geo/projection.ts';
import { deliveryEta, unassignedEta } from '../domain/tracking/eta.ts';
import type { Clock, DispatchStore, Positions } from './ports.ts';
import { requireIds } from './validation.ts';

export interface Tracking {
  readonly orderId: string;
  readonly riderId: string | undefined;
  readonly riderPosition: LatLng | undefined;
  readonly positionAt: Date | undefined;
  readonly eta: Date | undefined;
}

export interface TrackingDeps {
  readonly store: DispatchStore;
  readonly positions: Pick<Positions, 'get'>;
  readonly clock: Clock;
  readonly params: DispatchParams;
  readonly logger: Logger;
}

/**
 * What a customer sees of their delivery (the gateway checks it is their order). Before a rider
 * is assigned: no rider, and an estimate from readiness plus the direct ride. Assigned: the rider's
 * live position and an ETA through the restaurant (waiting for the food) and any earlier drop-offs
 * of the bundle. Delivered: the delivery time. Cancelled: ORDER_CANCELLED.
 */
export function createTrackingUseCases(deps: TrackingDeps) {
  const { store, params } = deps;
  const s = (d: Date) => d.getTime() / 1000;

  async function liveEta(order: DispatchOrder, riderAt: LatLng, now: Date): Promise<number> {
    const bundle = order.offerId ? await store.ordersOfOffer(order.offerId) : [order];
    const before = bundle.filter(
      (o) =>
        o.sequence !== undefined &&
        order.sequence !== undefined &&
        o.sequence < order.sequence &&
        (o.state === 'assigned' || o.state === 'picked_up'),
    );
    const projection = createLocalProjection(order.pickup);
    return deliveryEta({
      now: s(now),
      rider: projection.toPoint(riderAt),
      restaurant: order.state === 'assigned' ? projection.toPoint(order.pickup) : undefined,
      readyAt: order.ready ? s(now) : s(order.expectedReadyAt),
      stops: [...before, order].map((o) => projection.toPoint(o.dropoff)),
      travel: params.travel,
      service: params,
    }).dropoffAt;
  }

  function estimate(order: DispatchOrder, now: Date): number {
    const projection = createLocalProjection(order.pickup);
    return unassignedEta({
      now: s(now),
      restaurant: projection.toPoint(order.pickup),
      dropoff: projection.toPoint(order.dropoff),
      readyAt: order.ready ? s(now) : s(order.expectedReadyAt),
      approachSeconds: params.bundling.typicalApproachSeconds,
      travel: params.travel,
      service: params,
    }).dropoffAt;
  }

  return {
    async getDeliveryTracking(orderId: string): Promise<Result<Tracking, CodedError>> {
      const valid = requireIds({ orderId });
      if (!valid.ok) return valid;
      const order = await store.getOrder(orderId);
      if (!order) return err(DispatchErrors.orderNotFound(orderId));
      const now = deps.clock.now();
      const none = { orderId, riderId: undefined, riderPosition: undefined, positionAt: undefined };
      switch (order.state) {
        case 'cancelled':
          return err(DispatchErrors.orderCancelled(orderId));
        case 'delivered':
          return ok({ ...none, riderId: order.riderId, eta: order.deliveredAt });
        case 'waiting':
        case 'offered':
          return ok({ ...none, eta: new Date(estimate(order, now) * 1000) });
        case 'assigned':
        case 'picked_up': {
          const position = await deps.positions.get(order.riderId!).catch((error: unknown) => {
            deps.logger.warn({ err: error, orderId }, 'rider position unavailable for tracking');
            return undefined;
          });
          // A silent rider: after pickup the food left the restaurant, so ride from there.
          const from = position ?? (order.state === 'picked_up' ? order.pickup : undefined);
          const eta = from ? await liveEta(order, from, now) : estimate(order, now);
          return ok({
            orderId,
            riderId: order.riderId,
            riderPosition: position && { lat: position.lat, lng: position.lng },
            positionAt: position && new Date(position.recordedAt),
            eta: new Date(eta * 1000),
          });
        }
      }
    },
  };
}
