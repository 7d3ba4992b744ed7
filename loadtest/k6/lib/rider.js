import { sleep } from 'k6';
import exec from 'k6/execution';
import { Counter } from 'k6/metrics';
import { between, errorCode, json, request, retryable, retryDelay } from './api.js';
import { ENDPOINTS as E } from './endpoints.js';
import { num } from './env.js';
import { nearCentre } from './geo.js';
import { token } from './jwt.js';

const delivered = new Counter('orders_delivered_by_riders');

const PING_EVERY_S = num('RIDER_PING_EVERY_S', 5);
const POLL_EVERY_S = num('RIDER_POLL_EVERY_S', 2);
const DECLINE_SHARE = num('RIDER_DECLINE_SHARE', 0.03);
/** Simulated rides, in seconds: to the restaurant, then to the customer. */
const TO_PICKUP_S = [0.5, 1.5];
const TO_DROPOFF_S = [1, 2.5];

const iso = (ms) => new Date(ms).toISOString();

/**
 * One rider's shift (one VU, one long iteration): online at a spot in the city, a position ping
 * every ~5 s whatever happens, the offer polled every ~2 s while idle, most offers accepted (a
 * few declined), then pick-up at the restaurant (again every second while the kitchen is not
 * ready) and delivery after a short simulated ride. No new offers after `acceptUntil`, so every
 * order taken is delivered before the scenario ends; offline at the end.
 */
export function riderShift(data, { endAt, acceptUntil }) {
  if (Date.now() >= acceptUntil) {
    sleep(1); // a VU ramped up at the very end: nothing to do
    return;
  }
  // idInTest: unique per VU (iteration numbers of ramping-vus are not contiguous).
  const riderId = `${data.runId}-r${exec.vu.idInTest}`;
  const auth = { token: token('rider', riderId) };
  let position = nearCentre(2_500);

  for (;;) {
    const res = request('POST', '/v1/rider/shift', {
      ...auth,
      endpoint: E.shift,
      body: { online: true, position, shiftEndsAt: iso(Date.now() + 4 * 3600_000) },
    });
    if (res.status === 200) break;
    if (Date.now() >= acceptUntil) return;
    sleep(2);
  }

  let nextPing = 0;
  /** @type {{ offerId: string, orders: string[], picked: string[], pickup: {lat:number,lng:number}, dropoff: {lat:number,lng:number}, phase: 'pickup'|'dropoff', at: number } | null} */
  let job = null;
  /**
   * An offer whose acceptance got no answer (timed out, shed, lost) may still have been taken:
   * a replica that froze with the request runs it when it wakes, the rider long gone. Until the
   * offer expires (the platform refuses later accepts) the rider looks at its run instead of
   * taking another offer, as the app does after a restart (GET /v1/rider/orders).
   * @type {{ offer: any, until: number } | null}
   */
  let unanswered = null;
  while (Date.now() < endAt) {
    const now = Date.now();
    if (now >= nextPing) {
      request('POST', '/v1/rider/positions', {
        ...auth,
        endpoint: E.positions,
        expected: [202],
        body: { pings: [{ lat: position.lat, lng: position.lng, recordedAt: iso(now) }] },
      });
      nextPing = now + PING_EVERY_S * 1000 * between(0.9, 1.1);
    }

    if (job === null) {
      if (unanswered) {
        job = jobFromRun(auth, unanswered.offer, now);
        if (job || now >= unanswered.until) unanswered = null;
      } else if (now < acceptUntil) {
        const taken = takeOffer(auth, now);
        if (taken && 'unanswered' in taken)
          unanswered = {
            offer: taken.unanswered,
            until: (Date.parse(taken.unanswered.expiresAt) || now + 30_000) + 5_000,
          };
        else job = taken;
      }
      if (job === null) sleep(POLL_EVERY_S * between(0.8, 1.2));
      continue;
    }

    if (job.phase === 'pickup' && now >= job.at) {
      position = job.pickup;
      for (const orderId of job.orders.filter((id) => !job.picked.includes(id))) {
        const res = request('POST', `/v1/rider/orders/${orderId}/picked-up`, {
          ...auth,
          endpoint: E.pickedUp,
          expected: [200, 409],
        });
        if (res.status === 200) job.picked.push(orderId);
        // Cancelled meanwhile: nothing to pick up. Not ready: wait at the counter and ask again.
        else if (res.status === 409 && errorCode(res) === 'ORDER_CANCELLED')
          job.orders = job.orders.filter((id) => id !== orderId);
      }
      if (job.picked.length === job.orders.length) {
        job.phase = 'dropoff';
        job.at = Date.now() + between(...TO_DROPOFF_S) * 1000;
      } else job.at = Date.now() + 1000;
    } else if (job.phase === 'dropoff' && now >= job.at) {
      position = job.dropoff;
      // The rider is at the door: a delivery the platform did not take (shed, a replica gone, no
      // answer) is reported again a second later, as the app would, until it is.
      job.picked = job.picked.filter((orderId) => {
        const res = request('POST', `/v1/rider/orders/${orderId}/delivered`, {
          ...auth,
          endpoint: E.delivered,
        });
        if (res.status === 200) delivered.add(1);
        return retryable(res);
      });
      if (job.picked.length === 0) {
        job = null;
        continue;
      }
      job.at = Date.now() + 1000;
    }
    sleep(0.25);
  }
  request('POST', '/v1/rider/shift', { ...auth, endpoint: E.shift, body: { online: false } });
}

function takeOffer(auth, now) {
  const offer = json(request('GET', '/v1/rider/offer', { ...auth, endpoint: E.offer }))?.offer;
  if (!offer) return null;
  if (Math.random() < DECLINE_SHARE) {
    // 409: the offer expired or was withdrawn meanwhile.
    request('POST', `/v1/rider/offers/${offer.offerId}/decline`, {
      ...auth,
      endpoint: E.offerDecline,
      expected: [200, 409],
    });
    return null;
  }
  // Accepting is safe to repeat (a second accept of one's own offer is a 200 or a 409): the app
  // retries what the platform did not take, while the offer lasts.
  let res;
  for (let attempt = 1; ; attempt++) {
    res = request('POST', `/v1/rider/offers/${offer.offerId}/accept`, {
      ...auth,
      endpoint: E.offerAccept,
      expected: [200, 409],
    });
    if (attempt >= 3 || !retryable(res)) break;
    sleep(retryDelay(res, attempt));
  }
  if (res.status === 200) return newJob(offer.offerId, offer.orderIds, offer.pickup, now);
  // No answer that settles it: the acceptance may yet land.
  return retryable(res) ? { unanswered: offer } : null;
}

function newJob(offerId, orderIds, pickup, now) {
  return {
    offerId,
    orders: [...orderIds],
    picked: [],
    pickup,
    dropoff: nearCentre(2_000),
    phase: 'pickup',
    at: now + between(...TO_PICKUP_S) * 1000,
  };
}

/** The job of `offer` if the rider's run lists its orders as held (the acceptance did land). */
function jobFromRun(auth, offer, now) {
  const run = json(request('GET', '/v1/rider/orders', { ...auth, endpoint: E.riderOrders }))?.orders ?? [];
  const held = run.filter((o) => o.offerId === offer.offerId && o.state === 'ASSIGNED').map((o) => o.orderId);
  return held.length ? newJob(offer.offerId, held, offer.pickup, now) : null;
}
