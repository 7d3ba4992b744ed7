import { err, ok } from '@mealpeak/core';
import { type OrderServiceService } from '@mealpeak/contracts/order.v1';
import type { UnaryImplementation } from '@mealpeak/grpc';
import type { OrderUseCases } from '../app/use-cases.ts';
import { OrderErrors } from '../domain/errors.ts';
import type { OrderState } from '../domain/order.ts';
import {
  actorFromProto,
  changeToProto,
  commandFromProto,
  orderToProto,
  stateFromProto,
  stateToProto,
} from '../mapping/proto.ts';

/** gRPC OrderService: wire <-> use cases, nothing else. */
export function orderGrpcHandlers(useCases: OrderUseCases): UnaryImplementation<typeof OrderServiceService> {
  return {
    placeOrder: async (req, call) => {
      const placed = await useCases.placeOrder(
        {
          orderId: req.orderId,
          customerId: req.customerId,
          merchantId: req.merchantId,
          lines: req.lines.map((l) => ({ itemId: l.itemId, quantity: l.quantity })),
          dropoff: req.dropoff,
          dropoffAddress: req.dropoffAddress,
        },
        call.deadline,
      );
      return placed.ok ? ok({ order: orderToProto(placed.value) }) : placed;
    },

    getOrder: async (req) => {
      const found = await useCases.getOrder(req.orderId);
      return found.ok ? ok({ order: orderToProto(found.value) }) : found;
    },

    listOrders: async (req) => {
      const states: OrderState[] = [];
      for (const s of req.states) {
        const state = stateFromProto(s);
        if (!state) return err(OrderErrors.invalid([{ field: 'states', message: `unknown state ${s}` }]));
        states.push(state);
      }
      const page = await useCases.listOrders(
        {
          customerId: req.customerId || undefined,
          merchantId: req.merchantId || undefined,
          states,
          oldestFirst: req.oldestFirst,
        },
        req.pageSize,
        req.pageToken || undefined,
      );
      return page.ok
        ? ok({ orders: page.value.orders.map(orderToProto), nextPageToken: page.value.nextCursor ?? '' })
        : page;
    },

    transitionOrder: async (req) => {
      const command = commandFromProto(req);
      if (!command.ok) return command;
      const actor = actorFromProto(req.actor);
      if (!actor.ok) return actor;
      const result = await useCases.transition(req.orderId, command.value, actor.value);
      if (!result.ok) return result;
      // Without a claim the store never answers 'duplicate'; re-read for the type's sake.
      if (result.value === 'duplicate')
        return useCases.getOrder(req.orderId).then((o) => (o.ok ? ok({ order: orderToProto(o.value) }) : o));
      return ok({ order: orderToProto(result.value) });
    },

    getOrderTimeline: async (req) => {
      const entries = await useCases.timeline(req.orderId);
      return entries.ok ? ok({ entries: entries.value.map(changeToProto) }) : entries;
    },

    countOrdersByState: async (req) => {
      const res = await useCases.countByState(req.merchantId || undefined, req.since);
      if (!res.ok) return res;
      const { counts, since } = res.value;
      return ok({
        counts: [...counts].map(([state, count]) => ({ state: stateToProto(state), count })),
        since,
      });
    },
  };
}
