import { call, createGrpcClient } from '@mealpeak/grpc';
import { mapResult } from '@mealpeak/core';
import { OrderServiceClient, OrderServiceService } from '@mealpeak/contracts/order.v1';
import type { OrderPort } from '../app/ports.ts';
import { callSettings, required } from './grpc-result.ts';

export interface OrderGrpcSettings {
  readonly target: string;
  /** GRPC_INTERNAL_TOKEN, sent with every call. */
  readonly internalToken?: string | undefined;
  readonly deadlineMs: number;
  /** PlaceOrder reserves stock at the merchant first: it gets a longer budget. */
  readonly placeOrderDeadlineMs: number;
}

export function createOrderGrpcAdapter(settings: OrderGrpcSettings): OrderPort & { close(): void } {
  const client = createGrpcClient(OrderServiceClient, OrderServiceService, {
    target: settings.target,
    defaultDeadlineMs: settings.deadlineMs,
    internalToken: settings.internalToken,
    // PlaceOrder is safe to retry because the gateway chooses the order id (see app/order-id.ts).
    idempotent: ['placeOrder', 'getOrder', 'listOrders', 'getOrderTimeline', 'countOrdersByState'],
  });
  const within = (ctx: Parameters<typeof callSettings>[0]) => callSettings(ctx, settings.deadlineMs);

  return {
    async placeOrder(request, ctx) {
      const res = await call(
        client.placeOrder.bind(client),
        request,
        callSettings(ctx, settings.placeOrderDeadlineMs),
      );
      return required(res, (r) => r.order, 'an order');
    },
    async getOrder(orderId, ctx) {
      return required(
        await call(client.getOrder.bind(client), { orderId }, within(ctx)),
        (r) => r.order,
        'an order',
      );
    },
    async listOrders(request, ctx) {
      const res = await call(client.listOrders.bind(client), request, within(ctx));
      return mapResult(res, (r) => ({ items: r.orders, nextPageToken: r.nextPageToken }));
    },
    async transitionOrder(request, ctx) {
      const res = await call(client.transitionOrder.bind(client), request, within(ctx));
      return required(res, (r) => r.order, 'an order');
    },
    async getOrderTimeline(orderId, ctx) {
      const res = await call(client.getOrderTimeline.bind(client), { orderId }, within(ctx));
      return mapResult(res, (r) => r.entries);
    },
    async countOrdersByState(merchantId, since, ctx) {
      const res = await call(client.countOrdersByState.bind(client), { merchantId, since }, within(ctx));
      return mapResult(res, (r) => ({ counts: r.counts, since: r.since }));
    },
    close: () => client.close(),
  };
}
