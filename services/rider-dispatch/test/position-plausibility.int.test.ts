import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OrderState } from '@mealpeak/contracts/order.v1';
import { call } from '@mealpeak/grpc';
import { eventually } from '@mealpeak/testing';
import { publishOrders, type SoloService, startSoloService, stopSoloService } from './harness.ts';
import { at, centre } from './world.ts';

/**
 * Riders teleporting, through the real service with RIDER_POSITION_CHECK=enforce (ADR 0018): next
 * to a restaurant, the offer still goes to the rider really nearest; next to the drop-off, the
 * handover check (HANDOVER_CHECK=enforce here, ADR 0015) still sees where the rider really is.
 */
describe('teleporting riders under RIDER_POSITION_CHECK=enforce', () => {
  let solo: SoloService | undefined;

  beforeAll(async () => {
    solo = await startSoloService({
      ROUND_INTERVAL_MS: '300',
      RIDER_POSITION_CHECK: 'enforce',
      HANDOVER_CHECK: 'enforce',
    });
  });
  afterAll(() => stopSoloService(solo));

  const client = () => solo!.replica.client;
  const online = (riderId: string, northM: number) =>
    call(client().setRiderOnline.bind(client()), {
      riderId,
      online: true,
      position: at(northM),
      shiftEndsAt: new Date(Date.now() + 3_600_000),
      stayOnline: false,
    });
  // Dated a second ahead, a fix is stored as of now: never out of order, however quick the test.
  const jumpTo = (riderId: string, northM: number) =>
    call(client().reportPositions.bind(client()), {
      pings: [{ riderId, position: at(northM), recordedAt: new Date(Date.now() + 1_000) }],
    });
  const offerFor = (orderId: string) =>
    eventually(
      async () => {
        const { rows } = await solo!.infra.sql.query<{ offer_id: string; rider_id: string }>(
          'SELECT offer_id, rider_id FROM offers WHERE $1 = ANY(order_ids)',
          [orderId],
        );
        return rows[0];
      },
      30_000,
      `an offer for ${orderId}`,
    );

  it('does not offer an order to a rider whose fix jumped next to the restaurant', async () => {
    expect((await online('honest', 800)).ok).toBe(true);
    expect((await online('spoofer', 2_500)).ok).toBe(true);
    // 2.5 km in no time: a jump.
    expect(await jumpTo('spoofer', 20)).toEqual({ ok: true, value: { accepted: 0, dropped: 1 } });

    await publishOrders(solo!.infra, [{ orderId: 'o-teleport', pickup: centre }]);
    expect((await offerFor('o-teleport')).rider_id).toBe('honest');
  });

  it('judges a delivery by where the rider was, not where a jump put them next to the drop-off', async () => {
    // The order is picked up 2 km south of the others, its drop-off 1.5 km north of the pickup.
    const pickup = at(-2_000);
    expect((await online('courier', -2_050)).ok).toBe(true);
    await publishOrders(solo!.infra, [{ orderId: 'o-door', pickup, dropoff: at(-500) }]);
    const offer = await offerFor('o-door');
    expect(offer.rider_id).toBe('courier');
    const accepted = await call(client().respondToOffer.bind(client()), {
      riderId: 'courier',
      offerId: offer.offer_id,
      accept: true,
    });
    expect(accepted.ok).toBe(true);
    await publishOrders(
      solo!.infra,
      [{ orderId: 'o-door', pickup }],
      OrderState.ORDER_STATE_READY_FOR_PICKUP,
      3,
    );
    await eventually(
      async () => {
        const res = await call(client().markPickedUp.bind(client()), {
          riderId: 'courier',
          orderId: 'o-door',
        });
        return res.ok ? true : undefined;
      },
      20_000,
      'the pickup once the order is ready',
    );
    // 1.5 km in no time, to the door: dropped, so the delivery is judged from the restaurant.
    expect(await jumpTo('courier', -500)).toEqual({ ok: true, value: { accepted: 0, dropped: 1 } });
    const delivered = await call(client().markDelivered.bind(client()), {
      riderId: 'courier',
      orderId: 'o-door',
    });
    expect(!delivered.ok && delivered.error.code).toBe('NOT_AT_DROPOFF');
  });
});
