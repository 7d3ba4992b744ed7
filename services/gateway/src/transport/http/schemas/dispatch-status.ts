import { Type } from 'typebox';
import { DateTime, ref } from './common.ts';
import { RELEASE_REASONS } from './dispatch.ts';

/** GET /v1/ops/orders/{orderId}/dispatch: where an order stands in dispatch, for ops. */

export const DISPATCH_PHASES = [
  'WAITING',
  'OFFERED',
  'ASSIGNED',
  'PICKED_UP',
  'DELIVERED',
  'CANCELLED',
] as const;
export type DispatchPhaseName = (typeof DISPATCH_PHASES)[number];

export const OFFER_OUTCOMES = [
  'PENDING',
  'ACCEPTED',
  'RELEASED',
  'DECLINED',
  'DECLINED_GOING_OFFLINE',
  'EXPIRED',
  'WITHDRAWN',
] as const;
export type OfferOutcomeName = (typeof OFFER_OUTCOMES)[number];

const count = (description: string) => Type.Integer({ minimum: 0, description });

export const DispatchOffer = Type.Object(
  {
    offerId: Type.String({ description: 'UUID' }),
    riderId: Type.String({ description: 'The rider it was offered to' }),
    outcome: Type.Enum([...OFFER_OUTCOMES], {
      description:
        'PENDING: waiting for the answer, before expiresAt; ACCEPTED: the rider took the order (it stayed theirs: assigned, picked up, delivered, or cancelled in their hands); RELEASED: accepted, then taken back from the rider before pickup; DECLINED: by the rider; DECLINED_GOING_OFFLINE: the rider went offline with it pending; EXPIRED: not answered by expiresAt (also before the expiry sweep records it); WITHDRAWN: this order was cancelled while the offer was pending (in a bundle, whatever the rider then answered for the other orders)',
    }),
    offeredAt: DateTime('When the round made the offer'),
    expiresAt: DateTime('Answer deadline'),
    answeredAt: Type.Optional(
      DateTime(
        'When it was answered or expired (absent while PENDING, and while EXPIRED until the expiry sweep records it); WITHDRAWN: when this order was cancelled',
      ),
    ),
    releasedAt: Type.Optional(DateTime('RELEASED only: when the order was taken back')),
    releaseReason: Type.Optional(
      Type.Enum([...RELEASE_REASONS], {
        description:
          'RELEASED only: OFFLINE_REQUESTED (the rider went offline), SHIFT_ENDED (5 minutes past the shift end), RIDER_SILENT (no position for 3 minutes)',
      }),
    ),
    orderIds: Type.Array(Type.String(), {
      description: 'Every order of the offer (a bundle of one restaurant), in delivery sequence',
    }),
  },
  { $id: 'DispatchOffer', additionalProperties: false },
);

export const DispatchStatus = Type.Object(
  {
    orderId: Type.String({ description: 'UUID' }),
    phase: Type.Enum([...DISPATCH_PHASES], {
      description:
        'WAITING: for a round to offer it (new, or back after a decline, an expiry or a release; also once its offer is past expiresAt, before the expiry sweep records it); OFFERED: to pendingOffer.riderId until pendingOffer.expiresAt; ASSIGNED: accepted by riderId, not picked up; PICKED_UP; DELIVERED; CANCELLED',
    }),
    zone: Type.String({ description: 'The dispatch zone whose rounds offer it' }),
    merchantId: Type.String(),
    placedAt: DateTime('When the customer placed it'),
    ready: Type.Boolean({ description: 'Marked ready by the merchant' }),
    expectedReadyAt: Type.Optional(
      DateTime(
        "The merchant's estimate; rounds hold an order whose rider need not leave yet, so a WAITING order cooking for a while is normal",
      ),
    ),
    pendingOffer: Type.Optional(
      ref(
        DispatchOffer,
        'OFFERED only: who holds the offer and until when (expiresAt is ahead: an offer past it is EXPIRED)',
      ),
    ),
    riderId: Type.Optional(
      Type.String({
        description:
          'ASSIGNED, PICKED_UP, DELIVERED: the rider who accepted it; CANCELLED: the rider who had accepted it when it was cancelled, if any (never a rider it was only offered to)',
      }),
    ),
    assignedAt: Type.Optional(DateTime('When riderId accepted')),
    pickedUpAt: Type.Optional(DateTime('When the rider marked it picked up')),
    deliveredAt: Type.Optional(DateTime('When the rider marked it delivered')),
    cancelledAt: Type.Optional(DateTime('CANCELLED only: when dispatch learnt of it')),
    cancelHoldUntil: Type.Optional(
      DateTime("A customer's cancellation is in flight: no pickup before this (or the cancellation)"),
    ),
    offerCounts: Type.Object(
      {
        accepted: count(
          'Accepted and not taken back: the order stayed with that rider (assigned, picked up, delivered, or cancelled in their hands)',
        ),
        released: count('Accepted, then taken back from the rider'),
        declined: count('Declined by the rider'),
        declinedGoingOffline: count('Declined by the rider going offline with it pending'),
        expired: count('Not answered by expiresAt'),
        withdrawn: count('This order was cancelled while the offer was pending'),
      },
      {
        additionalProperties: false,
        description:
          'Every offer of the order by how it ended (the pending one not counted), over dispatch’s retention (8 days)',
      },
    ),
    recentOffers: Type.Array(ref(DispatchOffer), {
      description: 'The latest offers, newest first, pending one included: at most 20',
    }),
  },
  { $id: 'DispatchStatus', additionalProperties: false },
);

export const DISPATCH_STATUS_SCHEMAS = [DispatchOffer, DispatchStatus];
