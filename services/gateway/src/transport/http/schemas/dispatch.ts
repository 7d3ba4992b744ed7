import { Type } from 'typebox';
import { MAX_GEO_LATITUDE } from '@mealpeak/rider-positions';
import { DateTime, GeoPoint, ref } from './common.ts';

/** Rider endpoints (/v1/rider) and delivery tracking: the JSON face of DispatchService. */

export const RIDER_STATUSES = ['OFFLINE', 'IDLE', 'OFFERED', 'DELIVERING'] as const;
export type RiderStatusName = (typeof RIDER_STATUSES)[number];

/** Rider positions are stored in a Redis GEO index, which only takes Web-Mercator latitudes. */
const riderPointProperties = () => ({
  lat: Type.Number({
    minimum: -MAX_GEO_LATITUDE,
    maximum: MAX_GEO_LATITUDE,
    description: `WGS84 latitude in degrees (±${MAX_GEO_LATITUDE}, the range of the position index)`,
  }),
  lng: Type.Number({ minimum: -180, maximum: 180, description: 'WGS84 longitude in degrees' }),
});

export const ShiftBody = Type.Object(
  {
    online: Type.Boolean({ description: 'true: start or continue the shift; false: go offline' }),
    position: Type.Optional(
      Type.Object(riderPointProperties(), {
        additionalProperties: false,
        description: 'Where you are; required when going online',
      }),
    ),
    shiftEndsAt: Type.Optional(
      DateTime('End of your shift (no pickup is planned after it); default: 8 hours from now'),
    ),
    stayOnline: Type.Optional(
      Type.Boolean({
        description:
          'With online: true, cancels a pending "offline after deliveries" (leaving). Without it, going online keeps that request, so an app re-sending its last state after a restart cannot cancel it by accident',
      }),
    ),
  },
  { additionalProperties: false },
);

export const NOT_OFFERABLE_REASONS = ['OFFLINE', 'LEAVING', 'SHIFT_ENDED', 'NO_POSITION'] as const;
export type NotOfferableReasonName = (typeof NOT_OFFERABLE_REASONS)[number];

export const RiderShift = Type.Object(
  {
    status: Type.Enum([...RIDER_STATUSES], {
      description:
        'DELIVERING after going offline: you go offline by yourself after the last drop-off of the current run',
    }),
    online: Type.Boolean({ description: 'false exactly when status is OFFLINE' }),
    leaving: Type.Boolean({
      description:
        'You asked to go offline while delivering: no new offers, offline after the last drop-off (POST with stayOnline: true cancels it)',
    }),
    shiftEndsAt: Type.Optional(DateTime('End of your shift; absent if you were never online')),
    offerable: Type.Boolean({ description: 'Whether dispatch can offer you orders right now' }),
    notOfferableReason: Type.Optional(
      Type.Enum([...NOT_OFFERABLE_REASONS], {
        description:
          'Why not (offerable false only): OFFLINE; LEAVING; SHIFT_ENDED (go online again with a new shiftEndsAt); NO_POSITION (no ping for 60 s: send pings)',
      }),
    ),
  },
  { $id: 'RiderShift', additionalProperties: false },
);

export const MAX_PINGS = 20;

export const PositionsBody = Type.Object(
  {
    pings: Type.Array(
      Type.Object(
        {
          ...riderPointProperties(),
          recordedAt: DateTime('When the device took the fix; at most 30 s ahead of the server clock'),
        },
        { additionalProperties: false },
      ),
      { minItems: 1, maxItems: MAX_PINGS, description: 'Oldest first; send buffered fixes in one request' },
    ),
  },
  { additionalProperties: false },
);

export const PositionReport = Type.Object(
  {
    accepted: Type.Integer({ minimum: 0, description: 'Pings stored as your latest position' }),
    dropped: Type.Integer({
      minimum: 0,
      description:
        'Pings older than 60 s, not newer than a fix already stored, or implausible: nothing to fix or retry',
    }),
    implausible: Type.Integer({
      minimum: 0,
      description:
        'Of the dropped, pings farther from your last position than a rider can travel since it. Your position did not move; do not resend them, keep sending fresh fixes: a few that agree with each other move you (docs/api.md)',
    }),
  },
  { $id: 'PositionReport', additionalProperties: false },
);

const dropoffAddress = () =>
  Type.String({
    description:
      'As the customer gave it; empty only for orders placed before dispatch kept addresses (use dropoff)',
  });

/** Where the food is collected and whether it is ready: a bundle can mix ready and cooking orders. */
const collection = () => ({
  merchantId: Type.String({
    description: 'The restaurant to collect from (its id; the offer has its position as pickup)',
  }),
  merchantName: Type.Optional(
    Type.String({
      description:
        "The restaurant's name; absent for orders placed before the platform copied it into orders",
    }),
  ),
  pickupAddress: Type.Optional(
    Type.String({
      description:
        "The restaurant's street address; absent when it has none on file and for orders placed before the platform copied it (use pickup)",
    }),
  ),
  ready: Type.Boolean({
    description: 'Marked ready by the restaurant; until then picked-up answers 409 ORDER_NOT_READY',
  }),
  expectedReadyAt: Type.Optional(
    DateTime("The restaurant's estimate of when the food is ready (absent only from an older dispatch)"),
  ),
});

export const OfferOrder = Type.Object(
  {
    orderId: Type.String({ description: 'UUID' }),
    sequence: Type.Integer({ minimum: 0, description: '0-based position in the delivery sequence' }),
    dropoff: ref(GeoPoint),
    dropoffAddress: dropoffAddress(),
    cancelled: Type.Boolean({ description: 'Cancelled since the offer was made: nothing to deliver' }),
    ...collection(),
  },
  { $id: 'OfferOrder', additionalProperties: false },
);

export const Offer = Type.Object(
  {
    offerId: Type.String({ description: 'UUID' }),
    orderIds: Type.Array(Type.String(), { description: 'Orders of one restaurant, in delivery sequence' }),
    pickup: ref(GeoPoint),
    expiresAt: DateTime('Answer before this time; later the orders go to another rider'),
    orders: Type.Array(ref(OfferOrder), {
      description: 'Where each order of orderIds goes, in the same (delivery) sequence',
    }),
  },
  { $id: 'Offer', additionalProperties: false },
);

export const PendingOffer = Type.Object(
  { offer: Type.Union([ref(Offer), Type.Null()], { description: 'null: no offer right now' }) },
  { $id: 'PendingOffer', additionalProperties: false },
);

export const OfferAnswer = Type.Object(
  {
    offer: ref(Offer),
    accepted: Type.Boolean({ description: 'true: the orders are yours to pick up' }),
  },
  { $id: 'OfferAnswer', additionalProperties: false },
);

export const RiderOrderAction = Type.Object(
  { orderId: Type.String({ description: 'UUID' }) },
  { $id: 'RiderOrderAction', additionalProperties: false },
);

export const RUN_ORDER_STATES = ['ASSIGNED', 'PICKED_UP', 'CANCELLED', 'RELEASED'] as const;
export const RELEASE_REASONS = ['OFFLINE_REQUESTED', 'SHIFT_ENDED', 'RIDER_SILENT'] as const;
export type ReleaseReasonName = (typeof RELEASE_REASONS)[number];
export type RunOrderStateName = (typeof RUN_ORDER_STATES)[number];

export const RunOrder = Type.Object(
  {
    orderId: Type.String({ description: 'UUID' }),
    state: Type.Enum([...RUN_ORDER_STATES], {
      description:
        'ASSIGNED: yours to pick up; PICKED_UP: in your bag; CANCELLED: cancelled while yours, do not pick up or deliver; RELEASED: taken back from you before pickup and given to another rider, do not pick it up (both listed for 30 minutes)',
    }),
    offerId: Type.String({ description: 'The offer you accepted (UUID)' }),
    sequence: Type.Integer({ minimum: 0, description: "0-based position in that offer's delivery sequence" }),
    pickup: ref(GeoPoint),
    dropoff: Type.Optional(ref(GeoPoint, 'Where it goes; absent on a RELEASED order (another rider’s now)')),
    dropoffAddress: Type.Optional(dropoffAddress()),
    ...collection(),
    assignedAt: DateTime('When you accepted the offer'),
    pickedUpAt: Type.Optional(DateTime('When you marked it picked up')),
    cancelledAt: Type.Optional(DateTime('When it was cancelled (CANCELLED only)')),
    releasedAt: Type.Optional(DateTime('When it was taken back from you (RELEASED only)')),
    releaseReason: Type.Optional(
      Type.Enum([...RELEASE_REASONS], {
        description:
          'Why (RELEASED only): OFFLINE_REQUESTED (you went offline), SHIFT_ENDED (5 minutes past your shift end), RIDER_SILENT (no position from you for 3 minutes)',
      }),
    ),
  },
  { $id: 'RunOrder', additionalProperties: false },
);

export const RiderRun = Type.Object(
  {
    orders: Type.Array(ref(RunOrder), {
      description: 'By acceptance time, then delivery sequence; empty when you hold nothing',
    }),
  },
  { $id: 'RiderRun', additionalProperties: false },
);

export const OfferIdParam = Type.Object(
  { offerId: Type.String({ format: 'uuid', description: 'Offer id (UUID)' }) },
  { additionalProperties: false },
);

export const DeliveryTracking = Type.Object(
  {
    orderId: Type.String({ description: 'UUID' }),
    riderId: Type.Union([Type.String(), Type.Null()], { description: 'null until a rider accepted' }),
    riderPosition: Type.Union([ref(GeoPoint), Type.Null()], {
      description: 'Live position while the rider carries the order; null when unknown or silent',
    }),
    positionAt: Type.Union([DateTime('When the rider device took the fix'), Type.Null()]),
    eta: DateTime(
      'Expected delivery: an estimate before a rider is assigned, live after; the delivery time once delivered',
    ),
  },
  { $id: 'DeliveryTracking', additionalProperties: false },
);

export const DISPATCH_SCHEMAS = [
  RiderShift,
  PositionReport,
  OfferOrder,
  Offer,
  PendingOffer,
  OfferAnswer,
  RiderOrderAction,
  RunOrder,
  RiderRun,
  DeliveryTracking,
];
