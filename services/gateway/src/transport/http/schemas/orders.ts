import { Type } from 'typebox';
import { DateTime, GeoPoint, GeoPointInput, Id, Money, PageQuery, ref } from './common.ts';
import { NOT_BLANK } from '../field-errors.ts';

export const ORDER_STATES = [
  'PLACED',
  'ACCEPTED',
  'READY_FOR_PICKUP',
  'RIDER_ASSIGNED',
  'PICKED_UP',
  'DELIVERED',
  'REJECTED',
  'CANCELLED',
] as const;
export type OrderStateName = (typeof ORDER_STATES)[number];

export const ACTOR_ROLES = ['CUSTOMER', 'MERCHANT', 'RIDER', 'OPS', 'SYSTEM'] as const;
export const REJECT_REASONS = ['OUT_OF_STOCK', 'KITCHEN_CLOSED', 'TOO_BUSY', 'OTHER'] as const;
/** A merchant cancels an accepted order it cannot finish after all (or on the customer's call). */
export const MERCHANT_CANCEL_REASONS = [
  'OUT_OF_STOCK',
  'KITCHEN_CLOSED',
  'TOO_BUSY',
  'CUSTOMER_REQUEST',
  'OTHER',
] as const;
/** Ops cancel any unfinished order; the code is stored on the order and shown to the customer. */
export const OPS_CANCEL_REASONS = [
  'CUSTOMER_REQUEST',
  'MERCHANT_REQUEST',
  'NO_RIDER_AVAILABLE',
  'DELIVERY_FAILED',
  'FRAUD_SUSPECTED',
  'OTHER',
] as const;

export const OrderStateEnum = Type.Enum([...ORDER_STATES], { description: 'Order state' });

export const OrderLine = Type.Object(
  {
    itemId: Type.String(),
    name: Type.String(),
    quantity: Type.Integer(),
    unitPrice: ref(Money),
    lineTotal: ref(Money),
  },
  { $id: 'OrderLine', additionalProperties: false },
);

export const Order = Type.Object(
  {
    id: Type.String({ description: 'UUID' }),
    customerId: Type.String(),
    merchantId: Type.String(),
    merchantName: Type.Optional(
      Type.String({
        description: "The restaurant's name at placement; absent for orders placed before it was kept",
      }),
    ),
    pickupAddress: Type.Optional(
      Type.String({
        description:
          "The restaurant's street address at placement; absent when it had none and for orders placed before it was kept",
      }),
    ),
    state: OrderStateEnum,
    lines: Type.Array(ref(OrderLine)),
    total: ref(Money),
    pickup: ref(GeoPoint),
    dropoff: ref(GeoPoint),
    dropoffAddress: Type.String(),
    placedAt: DateTime('When the order was placed (UTC)'),
    updatedAt: DateTime('Last state change (UTC)'),
    expectedReadyAt: Type.Optional(DateTime('Merchant preparation estimate, set on acceptance')),
    promisedAt: Type.Optional(DateTime('Delivery promised at placement')),
    acceptBy: Type.Optional(
      DateTime(
        'While PLACED: the merchant must accept before this, or the order is rejected with MERCHANT_TIMEOUT',
      ),
    ),
    riderId: Type.Optional(Type.String({ description: 'Set once a rider is assigned' })),
    reason: Type.Optional(Type.String({ description: 'Reason code of a rejection or cancellation' })),
    version: Type.Integer({ description: 'Incremented on every state change' }),
  },
  { $id: 'Order', additionalProperties: false },
);

export const OrderPage = Type.Object(
  {
    orders: Type.Array(ref(Order)),
    nextPageToken: Type.Optional(Type.String({ description: 'Absent on the last page' })),
  },
  { $id: 'OrderPage', additionalProperties: false },
);

export const TimelineEntry = Type.Object(
  {
    fromState: Type.Optional(OrderStateEnum),
    toState: OrderStateEnum,
    actor: Type.Object(
      {
        role: Type.Enum([...ACTOR_ROLES]),
        id: Type.Optional(Type.String({ description: 'Shown to ops only' })),
      },
      { additionalProperties: false },
    ),
    reason: Type.Optional(Type.String()),
    at: DateTime('When the change happened (UTC)'),
  },
  { $id: 'TimelineEntry', additionalProperties: false },
);

export const Timeline = Type.Object(
  { entries: Type.Array(ref(TimelineEntry)) },
  { $id: 'Timeline', additionalProperties: false },
);

export const OrderCounts = Type.Object(
  {
    merchantId: Type.Optional(Type.String()),
    counts: Type.Object(Object.fromEntries(ORDER_STATES.map((s) => [s, Type.Integer({ minimum: 0 })])), {
      additionalProperties: false,
    }),
    since: Type.Optional(
      DateTime(
        'DELIVERED, REJECTED and CANCELLED count the orders placed since this instant; absent only while an order service from before windows answers (then they cover all history)',
      ),
    ),
  },
  { $id: 'OrderCounts', additionalProperties: false },
);

export const PlaceOrderBody = Type.Object(
  {
    merchantId: Id('Merchant to order from'),
    lines: Type.Array(
      Type.Object(
        {
          itemId: Id('Menu item id'),
          quantity: Type.Integer({ minimum: 1, maximum: 99 }),
        },
        { additionalProperties: false },
      ),
      { minItems: 1, maxItems: 50 },
    ),
    dropoff: GeoPointInput,
    dropoffAddress: Type.String({ minLength: 1, maxLength: 500, pattern: NOT_BLANK }),
  },
  { additionalProperties: false },
);

export const OrderListQuery = Type.Object(
  {
    state: Type.Optional(
      Type.Array(OrderStateEnum, { maxItems: ORDER_STATES.length, description: 'Repeat to match several' }),
    ),
    sort: Type.Optional(
      Type.Enum(['newest', 'oldest'], {
        default: 'newest',
        description:
          'By placement time. Incoming orders (state=PLACED) oldest first put the next to time out on top; a pageToken continues only the sort it came from',
      }),
    ),
    ...PageQuery,
  },
  { additionalProperties: false },
);

export const CancelBody = Type.Object(
  { reason: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })) },
  { additionalProperties: false },
);

/** A body of one required reason code from `codes`, which the customer is shown. */
const reasonBody = <C extends string>(codes: readonly C[]) =>
  Type.Object(
    { reason: Type.Enum([...codes], { description: 'Shown to the customer' }) },
    { additionalProperties: false },
  );

export const RejectBody = reasonBody(REJECT_REASONS);
export const MerchantCancelBody = reasonBody(MERCHANT_CANCEL_REASONS);
export const OpsCancelBody = reasonBody(OPS_CANCEL_REASONS);

export const CountsQuery = Type.Object(
  {
    merchantId: Type.Optional(Id('Count only the orders of this merchant')),
    since: Type.Optional(
      DateTime(
        'Count finished orders (DELIVERED, REJECTED, CANCELLED) placed at or after this instant; default 24 hours ago, at most 7 days ago, not in the future',
      ),
    ),
  },
  { additionalProperties: false },
);

export const ORDER_SCHEMAS = [OrderLine, Order, OrderPage, TimelineEntry, Timeline, OrderCounts];
