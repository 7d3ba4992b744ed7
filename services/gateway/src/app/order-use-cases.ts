import { codedError, err, type CodedError, type Result } from '@mealpeak/core';
import { ActorRole } from '@mealpeak/contracts/common.v1';
import { OrderCommand, OrderState, type Order, type TimelineEntry } from '@mealpeak/contracts/order.v1';
import type { GetDeliveryTrackingResponse } from '@mealpeak/contracts/dispatch.v1';
import { orderIdFor } from './order-id.ts';
import type { CallContext, Page, Ports, Reply, StateCounts } from './ports.ts';
import type { Principal } from './principal.ts';

/** One answer for "no such order" and "not yours", with one message: ids reveal nothing. */
export const ORDER_NOT_FOUND: CodedError = codedError('not_found', 'ORDER_NOT_FOUND', 'order not found');

/**
 * Your own order, but dispatch does not know it: not accepted by the merchant yet (dispatch sees
 * orders from ACCEPTED on, a moment after the acceptance), or rejected. Not a 404: the order exists.
 */
export const TRACKING_NOT_AVAILABLE: CodedError = codedError(
  'conflict',
  'TRACKING_NOT_AVAILABLE',
  'no delivery to track yet: tracking starts once the merchant accepts the order',
);

/** Tracking a cancelled order: the same code dispatch answers once it knew the order. */
export const ORDER_CANCELLED: CodedError = codedError(
  'conflict',
  'ORDER_CANCELLED',
  'the order was cancelled: there is no delivery to track',
);

/** Tracking a rejected order: dispatch never gets it, so there never is anything to track. */
export const TRACKING_NOT_AVAILABLE_REJECTED: CodedError = codedError(
  'conflict',
  'TRACKING_NOT_AVAILABLE',
  'the merchant rejected the order: there is no delivery to track',
);

/** Who may see an order: its customer, its merchant, its rider, and ops. */
export function canSee(viewer: Principal, order: Order): boolean {
  switch (viewer.role) {
    case 'ops':
      return true;
    case 'customer':
      return order.customerId === viewer.id;
    case 'merchant':
      return order.merchantId === viewer.id;
    case 'rider':
      return order.riderId !== '' && order.riderId === viewer.id;
  }
}

/**
 * The services say "not found" in their own words, some naming the id ("order X not found for
 * this merchant"); one fixed answer keeps a foreign order and a missing one indistinguishable.
 * Ownership itself is checked here for customers (canSee) and by the merchant service for stores.
 */
function sameNotFound<T>(result: Result<T, CodedError>): Result<T, CodedError> {
  if (result.ok) return result;
  return result.error.kind === 'not_found' && result.error.code === ORDER_NOT_FOUND.code
    ? err(ORDER_NOT_FOUND)
    : result;
}

/** Who may cancel through the API: riders hand an order back through dispatch instead. */
export type Canceller = Principal & { readonly role: 'customer' | 'merchant' | 'ops' };

const CANCELLER_ROLE: Record<Canceller['role'], ActorRole> = {
  customer: ActorRole.ACTOR_ROLE_CUSTOMER,
  merchant: ActorRole.ACTOR_ROLE_MERCHANT,
  ops: ActorRole.ACTOR_ROLE_OPS,
};

export interface PlaceOrderInput {
  readonly merchantId: string;
  readonly lines: readonly { readonly itemId: string; readonly quantity: number }[];
  readonly dropoff: { readonly lat: number; readonly lng: number };
  readonly dropoffAddress: string;
}

/** Answers of HoldForCancellation that need no hold: dispatch has not seen the order, or is too old. */
const NO_HOLD_NEEDED = new Set(['ORDER_NOT_FOUND', 'GRPC_UNIMPLEMENTED']);
/** Order states in which a rider may already hold the food dispatch knows of first. */
const RIDER_MAY_HOLD = new Set<OrderState>([
  OrderState.ORDER_STATE_READY_FOR_PICKUP,
  OrderState.ORDER_STATE_RIDER_ASSIGNED,
]);
/** Failures after which a command may or may not have been applied. */
const OUTCOME_UNKNOWN = new Set<CodedError['kind']>(['timeout', 'unavailable', 'internal']);

/**
 * Whether a customer cancellation goes on when dispatch did not hold the order: it has not seen
 * the order, or is too old to hold; or it is away and the order was not ready when read (a
 * pickup would need it to turn ready, be assigned and be taken within this request). A ready
 * order waits for dispatch (503, retry).
 */
const cancelsUnheld = (error: CodedError, state: OrderState): boolean =>
  NO_HOLD_NEEDED.has(error.code) || (OUTCOME_UNKNOWN.has(error.kind) && !RIDER_MAY_HOLD.has(state));

export interface OrderFilter {
  readonly states: readonly OrderState[];
  readonly pageSize: number;
  readonly pageToken: string;
  /** By placement time, oldest first (newest first otherwise). */
  readonly oldestFirst: boolean;
}

export function createOrderUseCases({
  orders,
  merchants,
  dispatch,
}: Pick<Ports, 'orders' | 'merchants' | 'dispatch'>) {
  async function visibleOrder(viewer: Principal, orderId: string, ctx: CallContext): Reply<Order> {
    const found = sameNotFound(await orders.getOrder(orderId, ctx));
    if (found.ok && !canSee(viewer, found.value)) return err(ORDER_NOT_FOUND);
    return found;
  }

  return {
    place(
      customerId: string,
      idempotencyKey: string,
      input: PlaceOrderInput,
      ctx: CallContext,
    ): Reply<Order> {
      return orders.placeOrder(
        {
          orderId: orderIdFor(customerId, idempotencyKey),
          customerId,
          merchantId: input.merchantId,
          lines: input.lines.map((l) => ({ itemId: l.itemId, quantity: l.quantity })),
          dropoff: { lat: input.dropoff.lat, lng: input.dropoff.lng },
          dropoffAddress: input.dropoffAddress,
        },
        ctx,
      );
    },

    get: visibleOrder,

    async timeline(viewer: Principal, orderId: string, ctx: CallContext): Reply<TimelineEntry[]> {
      // Both at once: the ownership check need not delay the timeline; a foreign one is dropped.
      const [order, entries] = await Promise.all([
        visibleOrder(viewer, orderId, ctx),
        orders.getOrderTimeline(orderId, ctx),
      ]);
      return order.ok ? sameNotFound(entries) : order;
    },

    /**
     * Rider position and ETA of a customer's own order. Ownership first (dispatch answers for any
     * order id), so a foreign order is the usual 404 and costs dispatch nothing.
     */
    async track(customerId: string, orderId: string, ctx: CallContext): Reply<GetDeliveryTrackingResponse> {
      const order = await visibleOrder({ role: 'customer', id: customerId }, orderId, ctx);
      if (!order.ok) return order;
      // The order's own end settles it, whenever it came: dispatch never hears of an order
      // cancelled or rejected before acceptance, and would only say "not found".
      if (order.value.state === OrderState.ORDER_STATE_CANCELLED) return err(ORDER_CANCELLED);
      if (order.value.state === OrderState.ORDER_STATE_REJECTED) return err(TRACKING_NOT_AVAILABLE_REJECTED);
      const tracking = await dispatch.getDeliveryTracking(orderId, ctx);
      if (!tracking.ok && tracking.error.code === ORDER_NOT_FOUND.code) return err(TRACKING_NOT_AVAILABLE);
      return tracking;
    },

    /** Customers list their own orders, merchants their store's, ops everything. */
    list(viewer: Principal, filter: OrderFilter, ctx: CallContext): Reply<Page<Order>> {
      if (viewer.role === 'rider') {
        return Promise.resolve(err(codedError('forbidden', 'FORBIDDEN', 'riders cannot list orders')));
      }
      return orders.listOrders(
        {
          customerId: viewer.role === 'customer' ? viewer.id : '',
          merchantId: viewer.role === 'merchant' ? viewer.id : '',
          states: [...filter.states],
          pageSize: filter.pageSize,
          pageToken: filter.pageToken,
          oldestFirst: filter.oldestFirst,
        },
        ctx,
      );
    },

    /**
     * The order service's CANCEL, as the caller: it decides what each role may cancel when
     * (docs/adr/0006: customer until pickup, merchant while ACCEPTED, ops any unfinished order).
     */
    async cancel(canceller: Canceller, orderId: string, reason: string, ctx: CallContext): Reply<Order> {
      // Checked here, not only by the order service, so another customer's or store's order stays
      // a 404 with the one message.
      const order = await visibleOrder(canceller, orderId, ctx);
      if (!order.ok) return order;
      // A customer may cancel until pickup, but dispatch records the pickup before the order
      // service hears of it: dispatch is asked first and holds the order against pickup while
      // the order service cancels (docs/adr/0016). Every customer cancel asks (the state read
      // above may be a moment old). An order dispatch has not seen cannot be with a rider; a
      // dispatch release without the method (a rolling upgrade) cannot hold, as before it.
      // Already cancelled (a double tap, a retry with a new key): nothing to hold or release, and
      // a release would lift the hold the first cancel set before its event reached dispatch.
      const holding = canceller.role === 'customer' && order.value.state !== OrderState.ORDER_STATE_CANCELLED;
      if (holding) {
        const held = await dispatch.holdForCancellation(orderId, ctx);
        if (!held.ok && !cancelsUnheld(held.error, order.value.state)) return held;
      }
      // Ownership is settled: a refusal now (ILLEGAL_TRANSITION, ACTOR_NOT_ALLOWED) is about the state.
      const cancelled = await orders.transitionOrder(
        {
          orderId,
          command: OrderCommand.ORDER_COMMAND_CANCEL,
          actor: { role: CANCELLER_ROLE[canceller.role], id: canceller.id },
          reason,
          prepSeconds: 0,
          riderId: '',
        },
        ctx,
      );
      // Refused: the rider may take the order again now, unless the refusal is because another
      // cancel got there first (a second tap or device, read before the first committed): that
      // one's hold must stand until its CANCELLED event reaches dispatch. An outcome we do not
      // know (a timeout, the order service away) keeps the hold: the CANCELLED event, or its
      // time limit, ends it.
      if (holding && !cancelled.ok && !OUTCOME_UNKNOWN.has(cancelled.error.kind)) {
        const now = await orders.getOrder(orderId, ctx);
        if (!(now.ok && now.value.state === OrderState.ORDER_STATE_CANCELLED))
          await dispatch.holdForCancellation(orderId, ctx, true).catch(() => undefined);
      }
      return cancelled;
    },

    countByState(
      merchantId: string | undefined,
      since: Date | undefined,
      ctx: CallContext,
    ): Reply<StateCounts> {
      return orders.countOrdersByState(merchantId ?? '', since, ctx);
    },

    async accept(merchantId: string, orderId: string, ctx: CallContext): Reply<Order> {
      return sameNotFound(await merchants.acceptOrder(merchantId, orderId, ctx));
    },

    async reject(merchantId: string, orderId: string, reason: string, ctx: CallContext): Reply<Order> {
      return sameNotFound(await merchants.rejectOrder(merchantId, orderId, reason, ctx));
    },

    async markReady(merchantId: string, orderId: string, ctx: CallContext): Reply<Order> {
      return sameNotFound(await merchants.markOrderReady(merchantId, orderId, ctx));
    },
  };
}

export type OrderUseCases = ReturnType<typeof createOrderUseCases>;
