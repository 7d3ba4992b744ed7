import { codedError, err, ok } from '@mealpeak/core';
import { OrderState, type Order } from '@mealpeak/contracts/order.v1';
import type { CallOptions, MerchantCommand, OrderService } from '../ports.ts';

const S = OrderState;

export interface FakeOrderService extends OrderService {
  readonly orders: Map<string, Order>;
  readonly calls: { orderId: string; merchantId: string; command: MerchantCommand; options: CallOptions }[];
  /** Adds an order in `state` (PLACED by default) and returns it. */
  place(orderId: string, merchantId: string, state?: OrderState): Order;
  /** While set, every call fails as if the order service were down. */
  down: boolean;
}

/** The order service's side of ADR 0006's merchant transitions, in memory. */
export function createFakeOrderService(): FakeOrderService {
  const orders = new Map<string, Order>();
  const unavailable = () => err(codedError('unavailable', 'GRPC_UNAVAILABLE', 'order service is down'));
  const service: FakeOrderService = {
    orders,
    calls: [],
    down: false,
    place(orderId, merchantId, state = S.ORDER_STATE_PLACED) {
      const order: Order = {
        id: orderId,
        customerId: 'c1',
        merchantId,
        state,
        lines: [],
        dropoffAddress: '',
        merchantName: '',
        pickupAddress: '',
        riderId: '',
        reason: '',
        version: 1,
      };
      orders.set(orderId, order);
      return order;
    },
    async transition(orderId, merchantId, command, options) {
      service.calls.push({ orderId, merchantId, command, options });
      if (service.down) return unavailable();
      const order = orders.get(orderId);
      if (!order) return err(codedError('not_found', 'ORDER_NOT_FOUND', 'no such order'));
      const [from, to] =
        command.kind === 'accept'
          ? [S.ORDER_STATE_PLACED, S.ORDER_STATE_ACCEPTED]
          : command.kind === 'reject'
            ? [S.ORDER_STATE_PLACED, S.ORDER_STATE_REJECTED]
            : [S.ORDER_STATE_ACCEPTED, S.ORDER_STATE_READY_FOR_PICKUP];
      if (order.state !== from)
        return err(codedError('conflict', 'ILLEGAL_TRANSITION', 'not from this state'));
      const next: Order = {
        ...order,
        state: to,
        version: order.version + 1,
        reason: command.kind === 'reject' ? command.reason : order.reason,
      };
      orders.set(orderId, next);
      return ok(next);
    },
    async getOrder(orderId) {
      if (service.down) return unavailable();
      return ok(orders.get(orderId));
    },
  };
  return service;
}
