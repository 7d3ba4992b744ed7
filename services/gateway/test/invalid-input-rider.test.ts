import { OrderState } from '@mealpeak/contracts/order.v1';
import type { Role } from '../src/app/principal.ts';
import { describeInvalidInput, ORDER, UNKNOWN_ORDER, type Case } from './support/invalid-input.ts';

/** Invalid input on the rider endpoints and on delivery tracking; refusals dispatch would give. */

const rider: [Role, string] = ['rider', 'r-1'];
const customer: [Role, string] = ['customer', 'c-1'];
const here = { lat: 52.52, lng: 13.405 };
const now = () => new Date().toISOString();
const inAnHour = () => new Date(Date.now() + 3_600_000).toISOString();
const ping = (extra: object = {}) => ({ ...here, recordedAt: now(), ...extra });

const EXPIRED_OFFER = '0ffe0ffe-0000-4000-8000-0000000000e1';
const ACCEPTED_OFFER = '0ffe0ffe-0000-4000-8000-0000000000a1';
const NOT_READY = '0dd00dd0-0000-4000-8000-000000000001';
const NOT_PICKED_UP = '0dd00dd0-0000-4000-8000-000000000002';
const CANCELLED = '0dd00dd0-0000-4000-8000-000000000003';
/** Orders that ended before the merchant accepted them: dispatch never heard of them. */
const CANCELLED_EARLY = '0dd00dd0-0000-4000-8000-000000000004';
const REJECTED = '0dd00dd0-0000-4000-8000-000000000005';

const positions = (payload: unknown, extra: Partial<Case> = {}) => ({
  as: rider,
  method: 'POST' as const,
  url: '/v1/rider/positions',
  payload,
  ...extra,
});
const shift = (payload: unknown) => ({ as: rider, method: 'POST' as const, url: '/v1/rider/shift', payload });
const post = (url: string, payload?: unknown) => ({
  as: rider,
  method: 'POST' as const,
  url,
  ...(payload === undefined ? {} : { payload }),
});

describeInvalidInput(
  'invalid input: rider endpoints and tracking',
  [
    // POST /v1/rider/positions
    {
      name: 'positions: latitude 91',
      ...positions({ pings: [ping({ lat: 91 })] }),
      status: 400,
      code: 'VALIDATION_FAILED',
      fields: ['pings[0].lat'],
    },
    {
      name: 'positions: latitude 86 (beyond the GEO index)',
      ...positions({ pings: [ping({ lat: 86 })] }),
      status: 400,
      code: 'VALIDATION_FAILED',
      fields: ['pings[0].lat'],
    },
    {
      name: 'positions: the third ping has longitude -181',
      ...positions({ pings: [ping(), ping(), ping({ lng: -181 })] }),
      status: 400,
      code: 'VALIDATION_FAILED',
      fields: ['pings[2].lng'],
    },
    {
      name: 'positions: latitude as a string',
      ...positions({ pings: [ping({ lat: '52.5' })] }),
      status: 400,
      code: 'VALIDATION_FAILED',
      fields: ['pings[0].lat'],
    },
    {
      name: 'positions: latitude null',
      ...positions({ pings: [ping({ lat: null })] }),
      status: 400,
      code: 'VALIDATION_FAILED',
      fields: ['pings[0].lat'],
    },
    {
      name: 'positions: no recordedAt',
      ...positions({ pings: [here] }),
      status: 400,
      code: 'VALIDATION_FAILED',
      fields: ['pings[0].recordedAt'],
    },
    {
      name: 'positions: recordedAt is garbage',
      ...positions({ pings: [ping({ recordedAt: 'yesterday' })] }),
      status: 400,
      code: 'VALIDATION_FAILED',
      fields: ['pings[0].recordedAt'],
    },
    {
      name: 'positions: recordedAt as epoch milliseconds',
      ...positions({ pings: [ping({ recordedAt: Date.now() })] }),
      status: 400,
      code: 'VALIDATION_FAILED',
      fields: ['pings[0].recordedAt'],
    },
    {
      name: 'positions: recordedAt without a time zone',
      ...positions({ pings: [ping({ recordedAt: '2026-11-22T12:00:00' })] }),
      status: 400,
      code: 'VALIDATION_FAILED',
      fields: ['pings[0].recordedAt'],
    },
    {
      name: 'positions: recordedAt on a leap second (no Date can hold it)',
      ...positions({ pings: [ping({ recordedAt: '2026-12-31T23:59:60Z' })] }),
      status: 400,
      code: 'VALIDATION_FAILED',
      fields: ['pings[0].recordedAt'],
    },
    {
      name: 'positions: the second ping is an hour in the future',
      ...positions({ pings: [ping(), ping({ recordedAt: inAnHour() })] }),
      status: 400,
      code: 'VALIDATION_FAILED',
      fields: ['pings[1].recordedAt'],
    },
    {
      name: 'positions: no pings',
      ...positions({ pings: [] }),
      status: 400,
      code: 'VALIDATION_FAILED',
      fields: ['pings'],
    },
    {
      name: 'positions: 21 pings',
      ...positions({ pings: Array.from({ length: 21 }, () => ping()) }),
      status: 400,
      code: 'VALIDATION_FAILED',
      fields: ['pings'],
    },
    {
      name: 'positions: no body',
      ...positions(undefined),
      status: 400,
      code: 'VALIDATION_FAILED',
      fields: ['pings'],
    },
    {
      name: 'positions: one ping instead of a list',
      ...positions({ pings: ping() }),
      status: 400,
      code: 'VALIDATION_FAILED',
      fields: ['pings'],
    },
    {
      name: 'positions: a ping as text',
      ...positions({ pings: ['52.5,13.4'] }),
      status: 400,
      code: 'VALIDATION_FAILED',
      fields: ['pings[0]'],
    },
    {
      name: 'positions: someone else’s riderId',
      ...positions({ riderId: 'r-2', pings: [ping()] }),
      status: 400,
      code: 'UNKNOWN_FIELD',
      fields: ['riderId'],
    },
    {
      name: 'positions: unknown field in a ping',
      ...positions({ pings: [ping({ accuracyM: 5 })] }),
      status: 400,
      code: 'UNKNOWN_FIELD',
      fields: ['pings[0].accuracyM'],
    },
    {
      name: 'positions: broken JSON',
      ...positions('{"pings":[', { headers: { 'content-type': 'application/json' } }),
      status: 400,
      code: 'INVALID_JSON',
    },
    {
      name: 'positions: text/plain',
      ...positions('52.5,13.4', { headers: { 'content-type': 'text/plain' } }),
      status: 415,
      code: 'UNSUPPORTED_MEDIA_TYPE',
    },

    // POST /v1/rider/shift
    { name: 'shift: no online', ...shift({}), status: 400, code: 'VALIDATION_FAILED', fields: ['online'] },
    {
      name: 'shift: online as a string',
      ...shift({ online: 'yes', position: here }),
      status: 400,
      code: 'VALIDATION_FAILED',
      fields: ['online'],
    },
    {
      name: 'shift: online without a position',
      ...shift({ online: true }),
      status: 400,
      code: 'VALIDATION_FAILED',
      fields: ['position'],
    },
    {
      name: 'shift: position latitude 91',
      ...shift({ online: true, position: { lat: 91, lng: 0 } }),
      status: 400,
      code: 'VALIDATION_FAILED',
      fields: ['position.lat'],
    },
    {
      name: 'shift: shiftEndsAt is garbage',
      ...shift({ online: true, position: here, shiftEndsAt: 'tonight' }),
      status: 400,
      code: 'VALIDATION_FAILED',
      fields: ['shiftEndsAt'],
    },
    {
      name: 'shift: shiftEndsAt in the past (dispatch refuses it)',
      ...shift({ online: true, position: here, shiftEndsAt: '2020-01-01T00:00:00Z' }),
      status: 400,
      code: 'INVALID_ARGUMENT',
      fields: ['shiftEndsAt'],
    },
    {
      name: 'shift: unknown field',
      ...shift({ online: true, position: here, vehicle: 'bike' }),
      status: 400,
      code: 'UNKNOWN_FIELD',
      fields: ['vehicle'],
    },
    {
      name: 'shift: offline without ever being online',
      ...shift({ online: false }),
      as: ['rider', 'r-new'],
      status: 404,
      code: 'RIDER_NOT_FOUND',
    },

    // Offers
    {
      name: 'accept: offer id not a UUID',
      ...post('/v1/rider/offers/offer-1/accept'),
      status: 400,
      code: 'VALIDATION_FAILED',
      fields: ['offerId'],
    },
    {
      name: 'accept: a body with fields',
      ...post(`/v1/rider/offers/${EXPIRED_OFFER}/accept`, { eta: 5 }),
      status: 400,
      code: 'UNKNOWN_FIELD',
      fields: ['eta'],
    },
    {
      name: 'accept: unknown offer',
      ...post(`/v1/rider/offers/${UNKNOWN_ORDER}/accept`),
      status: 404,
      code: 'OFFER_NOT_FOUND',
    },
    {
      name: 'accept: expired offer',
      ...post(`/v1/rider/offers/${EXPIRED_OFFER}/accept`),
      status: 409,
      code: 'OFFER_EXPIRED',
    },
    {
      name: 'decline: an offer already accepted',
      ...post(`/v1/rider/offers/${ACCEPTED_OFFER}/decline`),
      status: 409,
      code: 'OFFER_ALREADY_ANSWERED',
    },
    {
      name: 'unknown answer',
      ...post(`/v1/rider/offers/${ACCEPTED_OFFER}/maybe`),
      status: 404,
      code: 'ROUTE_NOT_FOUND',
    },

    // GET /v1/rider/orders: the run is the token's rider's; there is nothing to choose
    {
      name: 'run: asking for another rider’s run',
      as: rider,
      url: '/v1/rider/orders?riderId=r-2',
      status: 400,
      code: 'UNKNOWN_FIELD',
      fields: ['riderId'],
    },
    {
      name: 'run: filtering by state',
      as: rider,
      url: '/v1/rider/orders?state=ASSIGNED',
      status: 400,
      code: 'UNKNOWN_FIELD',
      fields: ['state'],
    },
    {
      name: 'run: as a POST',
      ...post('/v1/rider/orders', {}),
      status: 404,
      code: 'ROUTE_NOT_FOUND',
    },

    // Pickup and delivery
    {
      name: 'picked-up: order id not a UUID',
      ...post('/v1/rider/orders/42/picked-up'),
      status: 400,
      code: 'VALIDATION_FAILED',
      fields: ['orderId'],
    },
    {
      name: 'picked-up: unknown order',
      ...post(`/v1/rider/orders/${UNKNOWN_ORDER}/picked-up`),
      status: 404,
      code: 'ORDER_NOT_FOUND',
    },
    {
      name: 'picked-up: before the merchant marked it ready',
      ...post(`/v1/rider/orders/${NOT_READY}/picked-up`),
      status: 409,
      code: 'ORDER_NOT_READY',
    },
    {
      name: 'delivered: before pickup',
      ...post(`/v1/rider/orders/${NOT_PICKED_UP}/delivered`),
      status: 409,
      code: 'ORDER_NOT_PICKED_UP',
    },
    {
      name: 'picked-up: a cancelled order',
      ...post(`/v1/rider/orders/${CANCELLED}/picked-up`),
      status: 409,
      code: 'ORDER_CANCELLED',
    },

    // GET /v1/orders/{orderId}/tracking
    {
      name: 'tracking: not a UUID',
      as: customer,
      url: '/v1/orders/abc/tracking',
      status: 400,
      code: 'VALIDATION_FAILED',
      fields: ['orderId'],
    },
    {
      name: 'tracking: unknown order',
      as: customer,
      url: `/v1/orders/${UNKNOWN_ORDER}/tracking`,
      status: 404,
      code: 'ORDER_NOT_FOUND',
    },
    {
      name: 'tracking: own order dispatch does not know yet (not accepted)',
      as: customer,
      url: `/v1/orders/${ORDER}/tracking`,
      status: 409,
      code: 'TRACKING_NOT_AVAILABLE',
    },
    {
      name: 'tracking: own order cancelled before acceptance',
      as: customer,
      url: `/v1/orders/${CANCELLED_EARLY}/tracking`,
      status: 409,
      code: 'ORDER_CANCELLED',
    },
    {
      name: 'tracking: own order cancelled after acceptance',
      as: customer,
      url: `/v1/orders/${CANCELLED}/tracking`,
      status: 409,
      code: 'ORDER_CANCELLED',
    },
    {
      name: 'tracking: own order rejected by the merchant',
      as: customer,
      url: `/v1/orders/${REJECTED}/tracking`,
      status: 409,
      code: 'TRACKING_NOT_AVAILABLE',
    },
  ],
  (h) => {
    h.dispatch.addOffer({ offerId: EXPIRED_OFFER, riderId: 'r-1', expiresAt: new Date(Date.now() - 1_000) });
    h.dispatch.addOffer({ offerId: ACCEPTED_OFFER, riderId: 'r-1', status: 'accepted' });
    h.dispatch.addDelivery({ orderId: NOT_READY, riderId: 'r-1', ready: false });
    h.dispatch.addDelivery({ orderId: NOT_PICKED_UP, riderId: 'r-1' });
    h.dispatch.addDelivery({ orderId: CANCELLED, riderId: 'r-1', state: 'cancelled' });
    const own = { customerId: 'c-1', merchantId: 'm-1' };
    h.backend.addOrder({ id: CANCELLED, ...own, state: OrderState.ORDER_STATE_CANCELLED });
    h.backend.addOrder({ id: CANCELLED_EARLY, ...own, state: OrderState.ORDER_STATE_CANCELLED });
    h.backend.addOrder({ id: REJECTED, ...own, state: OrderState.ORDER_STATE_REJECTED });
  },
);
