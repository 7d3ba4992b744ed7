/**
 * Demo traffic: customers, merchants and riders played through whole orders over the REST API, so
 * the platform visibly works. `pnpm start --demo` runs it inside the local platform; on its own,
 * against any gateway with dev tokens: `pnpm demo [--base-url http://127.0.0.1:8080]`.
 */
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { createLogger, type Logger } from '@mealpeak/telemetry';
import { DEMO_CITY_CENTRE, demoRiders } from '../../services/rider-dispatch/src/app/seed-riders.ts';

interface LatLng {
  lat: number;
  lng: number;
}
interface DemoRider {
  readonly riderId: string;
  readonly position: LatLng;
  readonly shiftEndsAt: Date;
}

/**
 * The demo's riders, with ids fresh for every run: riders of an earlier run that was stopped
 * mid-delivery stay busy with those orders, and must not be mistaken for this run's fleet.
 */
export function demoFleet(count: number): DemoRider[] {
  let seed = 7;
  const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
  return demoRiders({
    count,
    centre: DEMO_CITY_CENTRE,
    radiusM: 2500,
    shiftMinutes: 480,
    idPrefix: `demo-${Date.now().toString(36)}`,
    now: new Date(),
    random,
  });
}
export interface DemoSettings {
  baseUrl: string;
  riders: readonly DemoRider[];
  logger: Logger;
  say: (line: string) => void;
  /** Orders per minute the customers place (default 12, what 40 riders keep up with). */
  ordersPerMinute?: number;
}

/** One field of a JSON response body (the demo trusts the API's documented shapes). */
const field = <T>(body: unknown, key: string): T | undefined =>
  body !== null && typeof body === 'object' ? ((body as Record<string, unknown>)[key] as T) : undefined;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const pick = <T>(list: readonly T[]): T => list[Math.floor(Math.random() * list.length)]!;
/** Moves `from` towards `to` by at most `metres`. */
function step(from: LatLng, to: LatLng, metres: number): LatLng {
  const dy = (to.lat - from.lat) * 111_320;
  const dx = (to.lng - from.lng) * 111_320 * Math.cos((from.lat * Math.PI) / 180);
  const d = Math.hypot(dx, dy);
  if (d <= metres) return to;
  return {
    lat: from.lat + (to.lat - from.lat) * (metres / d),
    lng: from.lng + (to.lng - from.lng) * (metres / d),
  };
}

export function runDemoTraffic(s: DemoSettings): { stop(): Promise<void> } {
  let running = true;
  const api = async (
    method: string,
    path: string,
    token?: string,
    body?: unknown,
  ): Promise<{ status: number; body: unknown; retryAfterS: number }> => {
    const res = await fetch(`${s.baseUrl}${path}`, {
      method,
      headers: {
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(method === 'POST' && path !== '/v1/dev/tokens' ? { 'idempotency-key': randomUUID() } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    return {
      status: res.status,
      body: text ? (JSON.parse(text) as unknown) : undefined,
      retryAfterS: Number(res.headers.get('retry-after') ?? 1),
    };
  };
  // Dev tokens are rate limited per client address: wait as told, and say why it is slow.
  const token = async (role: string, sub: string): Promise<string> => {
    for (;;) {
      const res = await api('POST', '/v1/dev/tokens', undefined, { role, sub, ttlSeconds: 86_400 });
      if (res.status === 201) return field<string>(res.body, 'token') ?? '';
      if (res.status !== 429 || !running)
        throw new Error(`dev token for ${role} ${sub}: HTTP ${res.status} ${JSON.stringify(res.body)}`);
      s.logger.warn({ retryAfterS: res.retryAfterS }, 'dev tokens rate limited; waiting');
      await sleep(res.retryAfterS * 1_000);
    }
  };
  const loop = async (name: string, everyMs: number, tick: () => Promise<void>) => {
    while (running) {
      try {
        await tick();
      } catch (error) {
        s.logger.debug({ err: error, loop: name }, 'demo step failed');
      }
      await sleep(everyMs);
    }
  };

  const loops: Promise<void>[] = [];
  const mine = { placed: 0, delivered: 0 };
  const start = async () => {
    const ops = await token('ops', 'demo-ops');
    const customers = await Promise.all(
      Array.from({ length: 20 }, (_, i) => token('customer', `demo-customer-${i + 1}`)),
    );
    const nearby = await api(
      'GET',
      `/v1/merchants?lat=${DEMO_CITY_CENTRE.lat}&lng=${DEMO_CITY_CENTRE.lng}&radiusM=5000&pageSize=50`,
      customers[0],
    );
    const merchants: { id: string; token: string; menu: string[] }[] = [];
    for (const m of field<{ id: string }[]>(nearby.body, 'merchants') ?? []) {
      const detail = await api('GET', `/v1/merchants/${m.id}`, customers[0]);
      merchants.push({
        id: m.id,
        token: await token('merchant', m.id),
        menu: (field<{ id: string }[]>(detail.body, 'menu') ?? []).map((i) => i.id),
      });
    }

    // Customers: an order every 60 / ordersPerMinute seconds, somewhere within 2 km of the centre.
    loops.push(
      loop('customers', 60_000 / (s.ordersPerMinute ?? 12), async () => {
        const m = pick(merchants);
        const dropoff = step(
          DEMO_CITY_CENTRE,
          {
            lat: DEMO_CITY_CENTRE.lat + (Math.random() - 0.5) * 0.04,
            lng: DEMO_CITY_CENTRE.lng + (Math.random() - 0.5) * 0.06,
          },
          2_000,
        );
        const placed = await api('POST', '/v1/orders', pick(customers), {
          merchantId: m.id,
          lines: [{ itemId: pick(m.menu), quantity: 1 + Math.floor(Math.random() * 2) }],
          dropoff,
          dropoffAddress: 'Demo Str. 1, Berlin',
        });
        if (placed.status === 201) mine.placed++;
      }),
    );
    // Merchants: accept what comes in; the food is ready 20 s later (a demo kitchen is fast).
    const acceptedAt = new Map<string, number>();
    loops.push(
      loop('merchants', 2_000, async () => {
        for (const m of merchants) {
          for (const o of field<{ id: string }[]>(
            (await api('GET', '/v1/merchant/orders?state=PLACED&pageSize=50', m.token)).body,
            'orders',
          ) ?? []) {
            await api('POST', `/v1/merchant/orders/${o.id}/accept`, m.token);
            acceptedAt.set(o.id, Date.now());
          }
          for (const o of field<{ id: string }[]>(
            (await api('GET', '/v1/merchant/orders?state=ACCEPTED&pageSize=50', m.token)).body,
            'orders',
          ) ?? []) {
            if (Date.now() - (acceptedAt.get(o.id) ?? 0) > 20_000)
              await api('POST', `/v1/merchant/orders/${o.id}/ready`, m.token);
          }
        }
      }),
    );
    // Riders: ping every 3 s while moving (80 m per ping: a demo bike in a hurry), take every offer,
    // ride to the restaurant, pick up once the food is ready, ride to the customer, deliver.
    // They clock in through the rider API as the app does, so each run brings its own fleet.
    for (const r of s.riders) {
      const t = await token('rider', r.riderId);
      const shift = await api('POST', '/v1/rider/shift', t, {
        online: true,
        position: r.position,
        shiftEndsAt: r.shiftEndsAt.toISOString(),
      });
      if (shift.status !== 200)
        throw new Error(`rider ${r.riderId} could not go online: HTTP ${shift.status}`);
      let at = r.position;
      let job:
        | { orderIds: string[]; pickup: LatLng; stage: 'to-pickup' | 'to-dropoff'; dropoffs: LatLng[] }
        | undefined;
      loops.push(
        loop(`rider ${r.riderId}`, 3_000, async () => {
          if (job) at = step(at, job.stage === 'to-pickup' ? job.pickup : (job.dropoffs[0] ?? at), 80);
          await api('POST', '/v1/rider/positions', t, {
            pings: [{ ...at, recordedAt: new Date().toISOString() }],
          });
          if (!job) {
            const offer = field<{ offerId: string; orderIds: string[]; pickup: LatLng } | null>(
              (await api('GET', '/v1/rider/offer', t)).body,
              'offer',
            );
            if (!offer) return;
            const accepted = await api('POST', `/v1/rider/offers/${offer.offerId}/accept`, t);
            if (accepted.status !== 200) return;
            const dropoffs = await Promise.all(
              offer.orderIds.map(
                async (id) =>
                  field<LatLng>((await api('GET', `/v1/ops/orders/${id}`, ops)).body, 'dropoff') ??
                  offer.pickup,
              ),
            );
            job = { orderIds: offer.orderIds, pickup: offer.pickup, stage: 'to-pickup', dropoffs };
          } else if (job.stage === 'to-pickup' && at === job.pickup) {
            const results = await Promise.all(
              job.orderIds.map((id) => api('POST', `/v1/rider/orders/${id}/picked-up`, t)),
            );
            if (results.every((x) => x.status === 200)) job.stage = 'to-dropoff';
          } else if (job.stage === 'to-dropoff' && at === job.dropoffs[0]) {
            const delivered = await api('POST', `/v1/rider/orders/${job.orderIds[0]}/delivered`, t);
            if (delivered.status === 200) mine.delivered++;
            job.orderIds.shift();
            job.dropoffs.shift();
            if (job.orderIds.length === 0) job = undefined;
          }
        }),
      );
      await sleep(20);
    }
    // What is happening, every 10 s.
    loops.push(
      loop('status', 10_000, async () => {
        const counts = field<Record<string, number>>(
          (await api('GET', '/v1/ops/orders/counts', ops)).body,
          'counts',
        );
        if (counts)
          s.say(
            `orders: ${
              Object.entries(counts)
                .filter(([, n]) => n > 0)
                .map(([k, n]) => `${k} ${n}`)
                .join(' | ') || 'none yet'
            }   (this demo run: ${mine.placed} placed, ${mine.delivered} delivered)`,
          );
      }),
    );
  };
  const started = start().catch((error: unknown) =>
    s.logger.error({ err: error }, 'demo traffic could not start'),
  );
  return {
    async stop() {
      running = false;
      await started;
      await Promise.all(loops);
    },
  };
}

if (import.meta.main) {
  const { values } = parseArgs({
    options: {
      'base-url': { type: 'string', default: 'http://127.0.0.1:8080' },
      riders: { type: 'string', default: '40' },
    },
  });
  const demo = runDemoTraffic({
    baseUrl: values['base-url'],
    riders: demoFleet(Number(values.riders)),
    logger: createLogger({ service: 'demo', level: 'warn' }),
    say: (l) => process.stdout.write(`${l}\n`),
  });
  process.once('SIGINT', () => void demo.stop().then(() => process.exit(0)));
}
