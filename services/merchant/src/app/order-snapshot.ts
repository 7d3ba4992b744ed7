import { OrderState as ProtoOrderState, type Order } from '@mealpeak/contracts/order.v1';
import type { OrderSnapshot } from '../domain/kitchen.ts';
import type { OrderState } from '../domain/types.ts';

const NAMES = new Map<number, OrderState>(
  Object.entries(ProtoOrderState)
    .filter(([name, n]) => n > 0 && name.startsWith('ORDER_STATE_'))
    .map(([name, n]) => [n, name.slice('ORDER_STATE_'.length) as OrderState]),
);

/** The order.v1 state by name; undefined for UNSPECIFIED and states newer than this code. */
export const orderStateName = (state: number): OrderState | undefined => NAMES.get(state);

/** What the kitchen needs of an order, or undefined when its state is unknown to us. */
export function snapshotOf(
  order: Order,
  state: number = order.state,
  fromState?: number,
): OrderSnapshot | undefined {
  const name = orderStateName(state);
  if (!name) return undefined;
  const from = fromState === undefined ? undefined : orderStateName(fromState);
  return {
    orderId: order.id,
    merchantId: order.merchantId,
    state: name,
    version: order.version,
    fromState: from,
  };
}
