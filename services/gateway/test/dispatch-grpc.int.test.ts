import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { codedError, err, ok } from '@mealpeak/core';
import { createGrpcServer, type GrpcServer, type UnaryImplementation } from '@mealpeak/grpc';
import { createLogger } from '@mealpeak/telemetry';
import {
  DispatchPhase,
  DispatchServiceService,
  NotOfferableReason,
  OfferOutcome,
  RiderStatus,
  RunOrderState,
} from '@mealpeak/contracts/dispatch.v1';
import { OrderState } from '@mealpeak/contracts/order.v1';
import { createDispatchGrpcAdapter } from '../src/adapters/dispatch-grpc.ts';
import { createHarness, type Harness } from './support/harness.ts';

/**
 * The rider endpoints, tracking and ops' dispatch status over the real dispatch adapter, against
 * an in-process DispatchService: proto3's absent messages become the API's nulls, dispatch's codes
 * and fields cross the hop, an unreachable service is a 503, and so is one from before a method.
 */

const ORDER = '7d3c1a2e-5b6f-4c8d-9e0f-1a2b3c4d5e6f';
const OFFER = '0ffe0ffe-0000-4000-8000-000000000001';
const logger = createLogger({ service: 'gateway-test', level: 'silent' });
const expiresAt = new Date('2030-01-01T12:00:30.000Z');
const offer = {
  offerId: OFFER,
  riderId: 'r-1',
  orderIds: [ORDER],
  pickup: { lat: 31.2, lng: 121.4 },
  expiresAt,
  orders: [
    {
      orderId: ORDER,
      sequence: 0,
      dropoff: { lat: 31.21, lng: 121.41 },
      dropoffAddress: '1 Huaihai Rd',
      cancelled: false,
      merchantId: 'm-7',
      merchantName: 'Noodle Bar',
      pickupAddress: '88 Huaihai Rd',
      ready: false,
      expectedReadyAt: new Date('2030-01-01T12:10:00.000Z'),
    },
  ],
};
const seen: string[] = [];
const UNKNOWN_ORDER = '00000000-0000-4000-8000-000000000000';
/** An order offered to r-3 after r-1 declined it and r-2 took it and was relieved of it. */
const offered = {
  orderId: ORDER,
  phase: DispatchPhase.DISPATCH_PHASE_OFFERED,
  zone: 'z3000:1157:4012',
  merchantId: 'm-7',
  placedAt: new Date('2030-01-01T11:50:00.000Z'),
  ready: false,
  expectedReadyAt: new Date('2030-01-01T12:10:00.000Z'),
  pendingOffer: {
    offerId: OFFER,
    riderId: 'r-3',
    outcome: OfferOutcome.OFFER_OUTCOME_PENDING,
    offeredAt: new Date('2030-01-01T12:00:00.000Z'),
    expiresAt,
    answeredAt: undefined,
    releasedAt: undefined,
    releaseReason: '',
    orderIds: [ORDER],
  },
  riderId: '',
  assignedAt: undefined,
  pickedUpAt: undefined,
  deliveredAt: undefined,
  cancelledAt: undefined,
  cancelHoldUntil: undefined,
  offerCounts: { accepted: 0, released: 1, declined: 1, declinedGoingOffline: 0, expired: 0, withdrawn: 0 },
  recentOffers: [
    {
      offerId: OFFER,
      riderId: 'r-3',
      outcome: OfferOutcome.OFFER_OUTCOME_PENDING,
      offeredAt: new Date('2030-01-01T12:00:00.000Z'),
      expiresAt,
      answeredAt: undefined,
      releasedAt: undefined,
      releaseReason: '',
      orderIds: [ORDER],
    },
    {
      offerId: '0ffe0ffe-0000-4000-8000-000000000002',
      riderId: 'r-2',
      outcome: OfferOutcome.OFFER_OUTCOME_RELEASED,
      offeredAt: new Date('2030-01-01T11:55:00.000Z'),
      expiresAt: new Date('2030-01-01T11:55:30.000Z'),
      answeredAt: new Date('2030-01-01T11:55:10.000Z'),
      releasedAt: new Date('2030-01-01T11:59:00.000Z'),
      releaseReason: 'rider_silent',
      orderIds: [ORDER, UNKNOWN_ORDER],
    },
    {
      offerId: '0ffe0ffe-0000-4000-8000-000000000003',
      riderId: 'r-1',
      outcome: OfferOutcome.OFFER_OUTCOME_DECLINED,
      offeredAt: new Date('2030-01-01T11:54:00.000Z'),
      expiresAt: new Date('2030-01-01T11:54:30.000Z'),
      answeredAt: new Date('2030-01-01T11:54:05.000Z'),
      releasedAt: undefined,
      releaseReason: '',
      orderIds: [ORDER],
    },
  ],
};

let server: GrpcServer;
let h: Harness;
let dispatch: ReturnType<typeof createDispatchGrpcAdapter> | undefined;

beforeAll(async () => {
  server = createGrpcServer({ logger, host: '127.0.0.1', port: 0 });
  server.add(DispatchServiceService, {
    setRiderOnline: async (req) => {
      seen.push(
        `${req.riderId} online=${req.online} at=${req.position?.lat} until=${req.shiftEndsAt?.toISOString()} stay=${req.stayOnline}`,
      );
      if (req.shiftEndsAt && req.shiftEndsAt < new Date())
        return err(
          codedError('invalid', 'INVALID_ARGUMENT', 'shift_ends_at: must be in the future', [
            { field: 'shift_ends_at', message: 'must be in the future' },
          ]),
        );
      // Answers like a dispatch older than GetRider for r-old (a rolling upgrade).
      const status = req.online ? RiderStatus.RIDER_STATUS_IDLE : RiderStatus.RIDER_STATUS_OFFLINE;
      if (req.riderId === 'r-old') return ok({ status });
      // An old dispatch and a rider with orders in the bag: still DELIVERING whatever was asked.
      if (req.riderId === 'r-old-busy') return ok({ status: RiderStatus.RIDER_STATUS_DELIVERING });
      return ok({
        status,
        shift: {
          status,
          leaving: false,
          shiftEndsAt: req.shiftEndsAt,
          offerable: req.online,
          reason: req.online
            ? NotOfferableReason.NOT_OFFERABLE_REASON_UNSPECIFIED
            : NotOfferableReason.NOT_OFFERABLE_REASON_OFFLINE,
        },
      });
    },
    getRider: async (req) =>
      ok({
        shift: {
          status: RiderStatus.RIDER_STATUS_DELIVERING,
          leaving: req.riderId === 'r-1',
          shiftEndsAt: new Date('2030-01-01T12:00:00.000Z'),
          offerable: false,
          reason: NotOfferableReason.NOT_OFFERABLE_REASON_LEAVING,
        },
      }),
    reportPositions: async () => ok({ accepted: 0, dropped: 0 }),
    getOffer: async (req) => ok({ offer: req.riderId === 'r-1' ? offer : undefined }),
    respondToOffer: async (req) =>
      req.riderId === 'r-1'
        ? ok({ offer, accepted: req.accept })
        : err(codedError('not_found', 'OFFER_NOT_FOUND', `no offer ${req.offerId} for this rider`)),
    markPickedUp: async (req) =>
      err(
        codedError(
          'conflict',
          'ORDER_NOT_READY',
          `order ${req.orderId} is not marked ready by the merchant yet`,
        ),
      ),
    markDelivered: async (req) => ok({ orderId: req.orderId }),
    holdForCancellation: async (req) =>
      req.orderId === ORDER
        ? err(codedError('conflict', 'ORDER_PICKED_UP', `order ${req.orderId} is already with its rider`))
        : ok({}),
    getDeliveryTracking: async (req) =>
      ok({
        orderId: req.orderId,
        riderId: '',
        riderPosition: undefined,
        positionAt: undefined,
        eta: new Date('2026-11-22T12:45:00.000Z'),
      }),
    getDispatchStatus: async (req) =>
      req.orderId === ORDER
        ? ok(offered)
        : err(codedError('not_found', 'ORDER_NOT_FOUND', `dispatch knows no order ${req.orderId}`)),
    listRiderOrders: async (req) => {
      seen.push(`list ${req.riderId} released=${req.includeReleased}`);
      return ok({
        orders:
          req.riderId === 'r-1'
            ? [
                {
                  orderId: ORDER,
                  state: RunOrderState.RUN_ORDER_STATE_CANCELLED,
                  offerId: OFFER,
                  sequence: 1,
                  pickup: { lat: 31.2, lng: 121.4 },
                  dropoff: { lat: 31.21, lng: 121.41 },
                  dropoffAddress: '1 Huaihai Rd',
                  merchantId: 'm-7',
                  merchantName: 'Noodle Bar',
                  // A merchant without an address on file: left out of the JSON.
                  pickupAddress: '',
                  ready: true,
                  expectedReadyAt: undefined,
                  assignedAt: new Date('2030-01-01T12:01:00.000Z'),
                  pickedUpAt: undefined,
                  cancelledAt: new Date('2030-01-01T12:05:00.000Z'),
                  releasedAt: undefined,
                  releaseReason: '',
                },
              ]
            : [],
      });
    },
  });
  await server.start();
});
afterEach(async () => {
  await h?.close();
  dispatch?.close();
});
afterAll(async () => {
  await server?.shutdown(1_000);
});

async function gateway(target = `127.0.0.1:${server.port}`): Promise<Harness> {
  dispatch = createDispatchGrpcAdapter({ target, deadlineMs: 3_000 });
  h = await createHarness({ ports: { dispatch } });
  h.backend.addMerchant('m-1');
  h.backend.addOrder({ id: ORDER, customerId: 'c-1', merchantId: 'm-1' });
  return h;
}
const rider = (sub = 'r-1') => ({ as: ['rider', sub] as ['rider', string] });

describe('dispatch over gRPC', () => {
  it('carries shift requests over, times as timestamps', async () => {
    await gateway();
    const res = await h.call({
      method: 'POST',
      url: '/v1/rider/shift',
      payload: {
        online: true,
        position: { lat: 31.2, lng: 121.4 },
        shiftEndsAt: '2030-01-01T20:00:00+08:00',
      },
      ...rider(),
    });
    expect(res.json()).toEqual({
      status: 'IDLE',
      online: true,
      leaving: false,
      shiftEndsAt: '2030-01-01T12:00:00.000Z',
      offerable: true,
    });
    expect(seen.at(-1)).toBe('r-1 online=true at=31.2 until=2030-01-01T12:00:00.000Z stay=false');
    const stay = await h.call({
      method: 'POST',
      url: '/v1/rider/shift',
      payload: { online: true, position: { lat: 31.2, lng: 121.4 }, stayOnline: true },
      ...rider('r-old'),
    });
    // A dispatch without GetRider answers the status only.
    expect(stay.json()).toEqual({ status: 'IDLE', online: true, leaving: false, offerable: true });
    expect(seen.at(-1)).toBe('r-old online=true at=31.2 until=undefined stay=true');
    // Going offline with orders in the bag: leaving, and no offers meanwhile, as a new dispatch says.
    const leaving = await h.call({
      method: 'POST',
      url: '/v1/rider/shift',
      payload: { online: false },
      ...rider('r-old-busy'),
    });
    expect(leaving.json()).toEqual({
      status: 'DELIVERING',
      online: true,
      leaving: true,
      offerable: false,
      notOfferableReason: 'LEAVING',
    });
  });

  it('reads the shift through GetRider', async () => {
    await gateway();
    expect((await h.call({ url: '/v1/rider/shift', ...rider() })).json()).toEqual({
      status: 'DELIVERING',
      online: true,
      leaving: true,
      shiftEndsAt: '2030-01-01T12:00:00.000Z',
      offerable: false,
      notOfferableReason: 'LEAVING',
    });
  });

  it('passes dispatch field errors through under their JSON names', async () => {
    await gateway();
    const res = await h.call({
      method: 'POST',
      url: '/v1/rider/shift',
      payload: { online: true, position: { lat: 31.2, lng: 121.4 }, shiftEndsAt: '2020-01-01T00:00:00Z' },
      ...rider(),
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({
      code: 'INVALID_ARGUMENT',
      fields: [{ field: 'shiftEndsAt', message: 'must be in the future' }],
    });
  });

  it('turns an absent offer into null and a present one into JSON', async () => {
    await gateway();
    expect((await h.call({ url: '/v1/rider/offer', ...rider('r-2') })).json()).toEqual({ offer: null });
    expect((await h.call({ url: '/v1/rider/offer', ...rider() })).json()).toEqual({
      offer: {
        offerId: OFFER,
        orderIds: [ORDER],
        pickup: { lat: 31.2, lng: 121.4 },
        expiresAt: '2030-01-01T12:00:30.000Z',
        orders: [
          {
            orderId: ORDER,
            sequence: 0,
            dropoff: { lat: 31.21, lng: 121.41 },
            dropoffAddress: '1 Huaihai Rd',
            cancelled: false,
            merchantId: 'm-7',
            merchantName: 'Noodle Bar',
            pickupAddress: '88 Huaihai Rd',
            ready: false,
            expectedReadyAt: '2030-01-01T12:10:00.000Z',
          },
        ],
      },
    });
  });

  it('carries the rider’s run over, absent times left out', async () => {
    await gateway();
    expect((await h.call({ url: '/v1/rider/orders', ...rider('r-2') })).json()).toEqual({ orders: [] });
    // The gateway knows the RELEASED state, so it asks for the orders taken back too.
    expect(seen.at(-1)).toBe('list r-2 released=true');
    expect((await h.call({ url: '/v1/rider/orders', ...rider() })).json()).toEqual({
      orders: [
        {
          orderId: ORDER,
          state: 'CANCELLED',
          offerId: OFFER,
          sequence: 1,
          pickup: { lat: 31.2, lng: 121.4 },
          dropoff: { lat: 31.21, lng: 121.41 },
          dropoffAddress: '1 Huaihai Rd',
          merchantId: 'm-7',
          merchantName: 'Noodle Bar',
          ready: true,
          assignedAt: '2030-01-01T12:01:00.000Z',
          cancelledAt: '2030-01-01T12:05:00.000Z',
        },
      ],
    });
  });

  it('maps dispatch codes by kind: OFFER_NOT_FOUND 404, ORDER_NOT_READY 409', async () => {
    await gateway();
    const foreign = await h.call({
      method: 'POST',
      url: `/v1/rider/offers/${OFFER}/accept`,
      ...rider('r-2'),
    });
    expect(foreign.statusCode).toBe(404);
    expect(foreign.json()).toMatchObject({ code: 'OFFER_NOT_FOUND' });
    const early = await h.call({ method: 'POST', url: `/v1/rider/orders/${ORDER}/picked-up`, ...rider() });
    expect(early.statusCode, early.body).toBe(409);
    expect(early.json()).toMatchObject({ code: 'ORDER_NOT_READY' });
    const done = await h.call({ method: 'POST', url: `/v1/rider/orders/${ORDER}/delivered`, ...rider() });
    expect(done.json()).toEqual({ orderId: ORDER });
  });

  it('asks dispatch before a customer cancels an order a rider may hold: picked up is a 409', async () => {
    await gateway();
    h.backend.orders.get(ORDER)!.state = OrderState.ORDER_STATE_RIDER_ASSIGNED;
    const late = await h.call({
      method: 'POST',
      url: `/v1/orders/${ORDER}/cancel`,
      payload: {},
      as: ['customer', 'c-1'],
    });
    expect(late.statusCode, late.body).toBe(409);
    expect(late.json()).toMatchObject({ code: 'ORDER_PICKED_UP' });
    expect(h.backend.orders.get(ORDER)!.state).toBe(OrderState.ORDER_STATE_RIDER_ASSIGNED);
  });

  it('answers tracking before assignment with nulls and the estimate', async () => {
    await gateway();
    const res = await h.call({ url: `/v1/orders/${ORDER}/tracking`, as: ['customer', 'c-1'] });
    expect(res.json()).toEqual({
      orderId: ORDER,
      riderId: null,
      riderPosition: null,
      positionAt: null,
      eta: '2026-11-22T12:45:00.000Z',
    });
  });

  it('answers 503 with Retry-After when dispatch cannot be reached', async () => {
    await gateway('127.0.0.1:1');
    const res = await h.call({ url: '/v1/rider/offer', ...rider() });
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBe('5');
    expect(res.json()).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE' });
  });
});

describe('ops: where an order stands in dispatch, over gRPC', () => {
  const ops = { as: ['ops', 'ops-1'] as ['ops', string] };

  it('tells who holds the offer until when, and how the earlier offers ended', async () => {
    await gateway();
    const res = await h.call({ url: `/v1/ops/orders/${ORDER}/dispatch`, ...ops });
    expect(res.statusCode, res.body).toBe(200);
    // Absent proto fields (no rider, no hold, no answer yet) are left out of the JSON.
    expect(res.json()).toEqual({
      orderId: ORDER,
      phase: 'OFFERED',
      zone: 'z3000:1157:4012',
      merchantId: 'm-7',
      placedAt: '2030-01-01T11:50:00.000Z',
      ready: false,
      expectedReadyAt: '2030-01-01T12:10:00.000Z',
      pendingOffer: {
        offerId: OFFER,
        riderId: 'r-3',
        outcome: 'PENDING',
        offeredAt: '2030-01-01T12:00:00.000Z',
        expiresAt: '2030-01-01T12:00:30.000Z',
        orderIds: [ORDER],
      },
      offerCounts: {
        accepted: 0,
        released: 1,
        declined: 1,
        declinedGoingOffline: 0,
        expired: 0,
        withdrawn: 0,
      },
      recentOffers: [
        {
          offerId: OFFER,
          riderId: 'r-3',
          outcome: 'PENDING',
          offeredAt: '2030-01-01T12:00:00.000Z',
          expiresAt: '2030-01-01T12:00:30.000Z',
          orderIds: [ORDER],
        },
        {
          offerId: '0ffe0ffe-0000-4000-8000-000000000002',
          riderId: 'r-2',
          outcome: 'RELEASED',
          offeredAt: '2030-01-01T11:55:00.000Z',
          expiresAt: '2030-01-01T11:55:30.000Z',
          answeredAt: '2030-01-01T11:55:10.000Z',
          releasedAt: '2030-01-01T11:59:00.000Z',
          releaseReason: 'RIDER_SILENT',
          orderIds: [ORDER, UNKNOWN_ORDER],
        },
        {
          offerId: '0ffe0ffe-0000-4000-8000-000000000003',
          riderId: 'r-1',
          outcome: 'DECLINED',
          offeredAt: '2030-01-01T11:54:00.000Z',
          expiresAt: '2030-01-01T11:54:30.000Z',
          answeredAt: '2030-01-01T11:54:05.000Z',
          orderIds: [ORDER],
        },
      ],
    });
  });

  it('answers 404 ORDER_NOT_FOUND in the error shape when dispatch does not know the order', async () => {
    await gateway();
    const res = await h.call({ url: `/v1/ops/orders/${UNKNOWN_ORDER}/dispatch`, ...ops });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({
      code: 'ORDER_NOT_FOUND',
      message: `dispatch knows no order ${UNKNOWN_ORDER}`,
      requestId: res.headers['x-request-id'],
    });
  });

  it('answers 503 UPSTREAM_UNIMPLEMENTED, not a 500, while dispatch runs a release without the method', async () => {
    // A dispatch from before GetDispatchStatus (the gateway deployed first): every other method.
    const { getDispatchStatus: _new, ...oldDefinition } = DispatchServiceService;
    const unimplemented = async () => err(codedError('unavailable', 'UNIMPLEMENTED', 'not in this fake'));
    const old = createGrpcServer({ logger, host: '127.0.0.1', port: 0 });
    old.add(
      oldDefinition,
      Object.fromEntries(
        Object.keys(oldDefinition).map((method) => [method, unimplemented]),
      ) as unknown as UnaryImplementation<typeof oldDefinition>,
    );
    await old.start();
    try {
      await gateway(`127.0.0.1:${old.port}`);
      const res = await h.call({ url: `/v1/ops/orders/${ORDER}/dispatch`, ...ops });
      expect(res.statusCode).toBe(503);
      expect(res.headers['retry-after']).toBe('5');
      expect(res.json()).toMatchObject({
        code: 'UPSTREAM_UNIMPLEMENTED',
        message: expect.stringContaining('GetDispatchStatus') as unknown,
      });
    } finally {
      await old.shutdown(1_000);
    }
  });
});
