import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  HandoverVerdict,
  OrderDelivered,
  OrderPickedUp,
  RiderAssigned,
  RunOrderState,
} from '@mealpeak/contracts/dispatch.v1';
import { OrderState } from '@mealpeak/contracts/order.v1';
import { call } from '@mealpeak/grpc';
import { EVENTS, type Envelope } from '@mealpeak/kafka';
import { eventually } from '@mealpeak/testing';
import {
  publishOrders,
  type Infra,
  type Replica,
  startSoloService,
  stopSoloService,
  type SoloService,
} from './harness.ts';
import { at, centre } from './world.ts';

describe('offers, answers and delivery through the real service', () => {
  let solo: SoloService | undefined;
  let infra: Infra;
  let replica: Replica;
  let events: SoloService['events'];

  beforeAll(async () => {
    solo = await startSoloService({
      ROUND_INTERVAL_MS: '300',
      LEASE_TTL_MS: '3000',
      // The retention purges run every half second here: the last case relies on it, and the
      // others show they never touch work in progress.
      INBOX_PURGE_INTERVAL_MS: '500',
    });
    ({ infra, replica, events } = solo);
  });
  afterAll(() => stopSoloService(solo));

  const api = () => replica.client;
  const online = (riderId: string, northM: number) =>
    call(api().setRiderOnline.bind(api()), {
      riderId,
      online: true,
      position: at(northM),
      shiftEndsAt: new Date(Date.now() + 3_600_000),
      stayOnline: false,
    });
  const offerOf = async (riderId: string) => {
    const res = await call(api().getOffer.bind(api()), { riderId });
    return res.ok ? res.value.offer : undefined;
  };
  const runOf = async (riderId: string) => {
    const res = await call(api().listRiderOrders.bind(api()), { riderId, includeReleased: true });
    if (!res.ok) throw new Error(res.error.message);
    return res.value.orders;
  };
  const pendingOfferFor = (orderId: string) =>
    eventually(
      async () => {
        const { rows } = await infra.sql.query<{ offer_id: string; rider_id: string }>(
          "SELECT offer_id, rider_id FROM offers WHERE $1 = ANY(order_ids) AND status = 'pending'",
          [orderId],
        );
        return rows[0];
      },
      30_000,
      `an offer for ${orderId}`,
    );
  const eventsFor = (type: string, orderId: string): Envelope[] =>
    events.seen.filter((e) => e.type === type && e.key === orderId);

  it('re-offers a declined order to a different rider', async () => {
    expect((await online('near', 100)).ok).toBe(true);
    expect((await online('farther', 900)).ok).toBe(true);
    await publishOrders(infra, [{ orderId: 'o-decline' }]);

    const first = await eventually(() => offerOf('near'), 30_000, 'an offer to the nearest rider');
    expect(first.orderIds).toEqual(['o-decline']);
    const declined = await call(api().respondToOffer.bind(api()), {
      riderId: 'near',
      offerId: first.offerId,
      accept: false,
    });
    expect(declined).toMatchObject({ ok: true, value: { accepted: false } });

    const second = await eventually(() => offerOf('farther'), 15_000, 'the order offered to the other rider');
    expect(second.orderIds).toEqual(['o-decline']);
    expect(second.offerId).not.toBe(first.offerId);
    expect(await offerOf('near')).toBeUndefined();
  });

  it('publishes RiderAssigned on accept, then OrderPickedUp and OrderDelivered', async () => {
    expect((await online('courier', 200)).ok).toBe(true);
    await publishOrders(infra, [{ orderId: 'o-e2e' }]);
    // Whoever is nearest and idle gets it (riders of the previous test may be).
    const courier = (await pendingOfferFor('o-e2e')).rider_id;
    const offer = (await offerOf(courier))!;
    expect(offer.orderIds).toEqual(['o-e2e']);
    // The rider decides knowing where the food goes: the address came with the order event.
    expect(offer.orders).toEqual([
      {
        orderId: 'o-e2e',
        sequence: 0,
        dropoff: { lat: centre.lat + 0.01, lng: centre.lng },
        dropoffAddress: 'o-e2e Huaihai Rd',
        cancelled: false,
        // Where to collect it (named as the order snapshot names it), and that the kitchen has not
        // marked it ready yet.
        merchantId: 'm-o-e2e',
        merchantName: 'Kitchen m-o-e2e',
        pickupAddress: '88 Huaihai Rd',
        ready: false,
        expectedReadyAt: expect.any(Date),
      },
    ]);
    const accepted = await call(api().respondToOffer.bind(api()), {
      riderId: courier,
      offerId: offer.offerId,
      accept: true,
    });
    expect(accepted).toMatchObject({
      ok: true,
      value: {
        accepted: true,
        offer: { orders: [{ orderId: 'o-e2e', dropoffAddress: 'o-e2e Huaihai Rd' }] },
      },
    });
    expect(await runOf(courier)).toMatchObject([
      {
        orderId: 'o-e2e',
        state: RunOrderState.RUN_ORDER_STATE_ASSIGNED,
        offerId: offer.offerId,
        sequence: 0,
      },
    ]);
    const [held] = await runOf(courier);
    expect(held).toMatchObject({
      pickup: centre,
      dropoffAddress: 'o-e2e Huaihai Rd',
      pickedUpAt: undefined,
      merchantId: 'm-o-e2e',
      merchantName: 'Kitchen m-o-e2e',
      pickupAddress: '88 Huaihai Rd',
      ready: false,
    });
    expect(held!.assignedAt!.getTime()).toBeGreaterThan(Date.now() - 60_000);
    expect(await runOf('nobody-else')).toEqual([]);

    const [assigned] = await eventually(
      () => {
        const found = eventsFor(EVENTS.riderAssigned.name, 'o-e2e');
        return found.length ? found : undefined;
      },
      20_000,
      'RiderAssigned on dispatch.events.v1',
    );
    const payload = RiderAssigned.decode(assigned!.payload);
    expect(payload).toMatchObject({
      orderId: 'o-e2e',
      riderId: courier,
      offerId: offer.offerId,
      sequence: 0,
    });
    expect(payload.etaPickup!.getTime()).toBeGreaterThan(Date.now() - 60_000);
    // The accept time, as the run shows it: the order service keeps the later of two assignments.
    expect(payload.assignedAt).toEqual(held!.assignedAt);

    const tracking = await call(api().getDeliveryTracking.bind(api()), { orderId: 'o-e2e' });
    expect(tracking).toMatchObject({ ok: true, value: { orderId: 'o-e2e', riderId: courier } });
    expect(tracking.ok && tracking.value.riderPosition).toBeDefined();

    // The merchant has not marked it ready yet: the order service would refuse the pickup.
    const early = await call(api().markPickedUp.bind(api()), { riderId: courier, orderId: 'o-e2e' });
    expect(!early.ok && early.error.code).toBe('ORDER_NOT_READY');
    await publishOrders(infra, [{ orderId: 'o-e2e' }], OrderState.ORDER_STATE_READY_FOR_PICKUP, 3);
    await eventually(
      async () => {
        const res = await call(api().markPickedUp.bind(api()), { riderId: courier, orderId: 'o-e2e' });
        return res.ok ? true : undefined;
      },
      20_000,
      'the pickup once the order is ready',
    );
    expect(await runOf(courier)).toMatchObject([
      { orderId: 'o-e2e', state: RunOrderState.RUN_ORDER_STATE_PICKED_UP, pickedUpAt: expect.any(Date) },
    ]);
    const delivered = await call(api().markDelivered.bind(api()), { riderId: courier, orderId: 'o-e2e' });
    expect(delivered.ok).toBe(true);
    expect(await runOf(courier)).toEqual([]);

    await eventually(
      () => (eventsFor(EVENTS.orderDelivered.name, 'o-e2e').length ? true : undefined),
      20_000,
      'OrderDelivered',
    );
    const kinds = events.seen.filter((e) => e.key === 'o-e2e').map((e) => e.type);
    expect(kinds).toEqual([EVENTS.riderAssigned.name, EVENTS.orderPickedUp.name, EVENTS.orderDelivered.name]);
    // Where the rider was, judged by the live position index: it never left the restaurant, so
    // the pickup is near and the delivery (about 1.1 km from there) far, recorded, not refused.
    expect(OrderPickedUp.decode(eventsFor(EVENTS.orderPickedUp.name, 'o-e2e')[0]!.payload)).toMatchObject({
      orderId: 'o-e2e',
      riderId: courier,
      handover: { verdict: HandoverVerdict.HANDOVER_VERDICT_NEAR },
    });
    const drop = OrderDelivered.decode(eventsFor(EVENTS.orderDelivered.name, 'o-e2e')[0]!.payload);
    expect(drop).toMatchObject({
      orderId: 'o-e2e',
      riderId: courier,
      handover: { verdict: HandoverVerdict.HANDOVER_VERDICT_FAR },
    });
    expect(drop.handover!.distanceM).toBeGreaterThan(900);
    const rider = await infra.sql.query<{ status: string }>('SELECT status FROM riders WHERE rider_id = $1', [
      courier,
    ]);
    expect(rider.rows[0]?.status).toBe('idle');
  });

  it('dispatches an order whose snapshots name no restaurant (an older order service) without one', async () => {
    expect((await online('legacy', 250)).ok).toBe(true);
    // Empty strings are absent on the wire: the bytes an order service before the fields sends.
    await publishOrders(infra, [{ orderId: 'o-legacy', merchantName: '', pickupAddress: '' }]);
    const pending = await pendingOfferFor('o-legacy');
    const offer = (await offerOf(pending.rider_id))!;
    expect(offer.orders.find((o) => o.orderId === 'o-legacy')).toMatchObject({
      merchantId: 'm-o-legacy',
      merchantName: '',
      pickupAddress: '',
    });
    const stored = async (version: number) =>
      eventually(
        async () => {
          const { rows } = await infra.sql.query<{ order_version: number }>(
            'SELECT merchant_name, pickup_address, order_version FROM dispatch_orders WHERE order_id = $1',
            ['o-legacy'],
          );
          return rows[0]?.order_version === version ? rows[0] : undefined;
        },
        20_000,
        `o-legacy at version ${version}`,
      );
    expect(await stored(2)).toMatchObject({ merchant_name: null, pickup_address: null });
    // The upgraded order service names it in the next snapshot; a snapshot from an older one after
    // that (a rollback) does not wipe the name again.
    const ready = OrderState.ORDER_STATE_READY_FOR_PICKUP;
    await publishOrders(infra, [{ orderId: 'o-legacy', merchantName: 'Noodle Bar' }], ready, 3);
    expect(await stored(3)).toMatchObject({ merchant_name: 'Noodle Bar', pickup_address: '88 Huaihai Rd' });
    await publishOrders(infra, [{ orderId: 'o-legacy', merchantName: '', pickupAddress: '' }], ready, 4);
    expect(await stored(4)).toMatchObject({ merchant_name: 'Noodle Bar', pickup_address: '88 Huaihai Rd' });
    // Cancelled upstream: the rider is free again for the next cases.
    await publishOrders(infra, [{ orderId: 'o-legacy' }], OrderState.ORDER_STATE_CANCELLED, 5);
    await eventually(
      async () => ((await offerOf(pending.rider_id)) ? undefined : true),
      20_000,
      'the offer withdrawn',
    );
  });

  it('withdraws a pending offer when its order is cancelled upstream, freeing the rider', async () => {
    expect((await online('spare', 300)).ok).toBe(true);
    await publishOrders(infra, [{ orderId: 'o-cancel', pickup: at(350) }]);
    const offer = await pendingOfferFor('o-cancel');
    await publishOrders(infra, [{ orderId: 'o-cancel' }], OrderState.ORDER_STATE_CANCELLED, 3);
    await eventually(
      async () => {
        const { rows } = await infra.sql.query<{ status: string }>(
          'SELECT status FROM offers WHERE offer_id = $1',
          [offer.offer_id],
        );
        return rows[0]?.status === 'withdrawn' ? true : undefined;
      },
      20_000,
      'the offer withdrawn',
    );
    expect(await offerOf(offer.rider_id)).toBeUndefined();
    const rider = await infra.sql.query<{ status: string }>('SELECT status FROM riders WHERE rider_id = $1', [
      offer.rider_id,
    ]);
    expect(rider.rows[0]?.status).toBe('idle');
  });

  it('holds an order against pickup while a customer cancels it, and refuses once it is picked up', async () => {
    // Two riders away from the other tests' riders and from each other, one order each.
    const spots = { 'hold-rider': -2_000, 'taken-rider': 2_500 } as const;
    const orderOf = { 'hold-rider': 'o-hold', 'taken-rider': 'o-taken' } as const;
    for (const [riderId, northM] of Object.entries(spots))
      expect((await online(riderId, northM)).ok).toBe(true);
    const orders = (Object.keys(spots) as (keyof typeof spots)[]).map((riderId) => ({
      orderId: orderOf[riderId],
      pickup: at(spots[riderId] + 10),
    }));
    await publishOrders(infra, orders);
    await publishOrders(infra, orders, OrderState.ORDER_STATE_READY_FOR_PICKUP, 3);
    for (const riderId of Object.keys(spots) as (keyof typeof spots)[])
      await eventually(
        async () => {
          const offer = await offerOf(riderId);
          if (offer)
            await call(api().respondToOffer.bind(api()), { riderId, offerId: offer.offerId, accept: true });
          return (await runOf(riderId)).some((o) => o.orderId === orderOf[riderId]) ? true : undefined;
        },
        30_000,
        `${orderOf[riderId]} assigned to ${riderId}`,
      );
    const pickUp = (riderId: string, orderId: string) =>
      call(api().markPickedUp.bind(api()), { riderId, orderId });
    await eventually(
      async () => ((await pickUp('taken-rider', 'o-taken')).ok ? true : undefined),
      20_000,
      'o-taken picked up',
    );

    const hold = (orderId: string) =>
      call(api().holdForCancellation.bind(api()), { orderId, release: false });
    expect(await hold('o-taken')).toMatchObject({ ok: false, error: { code: 'ORDER_PICKED_UP' } });
    expect((await hold('o-hold')).ok).toBe(true);
    expect(await pickUp('hold-rider', 'o-hold')).toMatchObject({
      ok: false,
      error: { code: 'ORDER_CANCEL_PENDING' },
    });
    // A refused cancellation releases the hold; the next customer cancel holds again.
    const holdUntil = async () =>
      (
        await infra.sql.query<{ until: Date | null }>(
          `SELECT cancel_hold_until AS until FROM dispatch_orders WHERE order_id = 'o-hold'`,
        )
      ).rows[0]?.until;
    expect((await call(api().holdForCancellation.bind(api()), { orderId: 'o-hold', release: true })).ok).toBe(
      true,
    );
    expect(await holdUntil()).toBeNull();
    expect((await hold('o-hold')).ok).toBe(true);
    expect((await holdUntil())!.getTime()).toBeGreaterThan(Date.now() + 200_000); // minutes, not seconds
    // The order service's CANCELLED ends it for good.
    await publishOrders(infra, [orders[0]!], OrderState.ORDER_STATE_CANCELLED, 4);
    await eventually(
      async () => {
        const res = await pickUp('hold-rider', 'o-hold');
        return !res.ok && res.error.code === 'ORDER_CANCELLED' ? true : undefined;
      },
      20_000,
      'the pickup refused as cancelled',
    );
    expect(await hold('unknown-order')).toMatchObject({ ok: false, error: { code: 'ORDER_NOT_FOUND' } });
  });

  it('lists an order cancelled after the rider accepted it as cancelled in the rider’s run', async () => {
    expect((await online('holder', 250)).ok).toBe(true);
    await publishOrders(infra, [{ orderId: 'o-held', pickup: at(260) }]);
    const pending = await pendingOfferFor('o-held');
    const accepted = await call(api().respondToOffer.bind(api()), {
      riderId: pending.rider_id,
      offerId: pending.offer_id,
      accept: true,
    });
    expect(accepted.ok).toBe(true);
    await publishOrders(infra, [{ orderId: 'o-held' }], OrderState.ORDER_STATE_CANCELLED, 3);
    const [cancelled] = await eventually(
      async () => {
        const run = await runOf(pending.rider_id);
        return run[0]?.state === RunOrderState.RUN_ORDER_STATE_CANCELLED ? run : undefined;
      },
      20_000,
      'the held order listed as cancelled',
    );
    expect(cancelled).toMatchObject({ orderId: 'o-held', dropoffAddress: 'o-held Huaihai Rd' });
    expect(cancelled!.cancelledAt!.getTime()).toBeGreaterThan(Date.now() - 60_000);
    // Half an hour later it is gone from the run.
    await infra.sql.query(
      "UPDATE dispatch_orders SET updated_at = updated_at - interval '31 minutes' WHERE order_id = 'o-held'",
    );
    expect(await runOf(pending.rider_id)).toEqual([]);
  });

  it('keeps an order cancelled before it was seen cancelled when its older ACCEPTED arrives later', async () => {
    // What `pnpm dlq replay` of a dead-lettered ACCEPTED does after the order was cancelled.
    expect((await online('idle-by-late', 400)).ok).toBe(true);
    const applied = async () =>
      (await infra.sql.query<{ n: number }>('SELECT count(*)::int AS n FROM processed_events')).rows[0]!.n;
    const before = await applied();
    await publishOrders(infra, [{ orderId: 'o-late', pickup: at(400) }], OrderState.ORDER_STATE_CANCELLED, 3);
    await publishOrders(infra, [{ orderId: 'o-late', pickup: at(400) }], OrderState.ORDER_STATE_ACCEPTED, 2);
    await eventually(
      async () => ((await applied()) >= before + 2 ? true : undefined),
      20_000,
      'both applied',
    );
    const { rows } = await infra.sql.query<{ state: string; order_version: number }>(
      "SELECT state, order_version FROM dispatch_orders WHERE order_id = 'o-late'",
    );
    expect(rows).toEqual([{ state: 'cancelled', order_version: 3 }]);
    const tracking = await call(api().getDeliveryTracking.bind(api()), { orderId: 'o-late' });
    expect(!tracking.ok && tracking.error.code).toBe('ORDER_CANCELLED');
  });

  it('forgets delivered and cancelled orders and their answered offers once past the retention', async () => {
    // An order still waiting for a rider (nobody is free near it), placed like the others.
    await publishOrders(infra, [{ orderId: 'o-open', pickup: at(20_000) }]);
    await eventually(
      async () =>
        (await infra.sql.query("SELECT 1 FROM dispatch_orders WHERE order_id = 'o-open'")).rowCount
          ? true
          : undefined,
      20_000,
      'the open order stored',
    );
    const before = await infra.sql.query<{ order_id: string; state: string }>(
      'SELECT order_id, state FROM dispatch_orders ORDER BY order_id',
    );
    const unfinished = before.rows.filter((r) => r.state !== 'delivered' && r.state !== 'cancelled');
    expect(before.rows.length).toBeGreaterThan(unfinished.length); // there is something to forget
    // Nine days pass for everything stored so far.
    await infra.sql.query("UPDATE dispatch_orders SET placed_at = placed_at - interval '9 days'");
    await infra.sql.query("UPDATE offers SET created_at = created_at - interval '9 days'");
    await eventually(
      async () => {
        const { rows } = await infra.sql.query<{ order_id: string }>(
          'SELECT order_id FROM dispatch_orders ORDER BY order_id',
        );
        return rows.length === unfinished.length ? rows.map((r) => r.order_id) : undefined;
      },
      20_000,
      'only unfinished orders left',
    ).then((left) => expect(left).toEqual(unfinished.map((r) => r.order_id)));
    await eventually(
      async () => {
        const { rows } = await infra.sql.query<{ status: string; in_use: boolean }>(
          `SELECT status, EXISTS (SELECT 1 FROM dispatch_orders o WHERE o.offer_id = f.offer_id) AS in_use
             FROM offers f`,
        );
        return rows.every((r) => r.status === 'pending' || r.in_use) ? true : undefined;
      },
      20_000,
      'answered offers of finished orders forgotten',
    );
  });
});
