/**
 * The demo city of the replica mode and the load tests: the merchant service's 12 demo merchants
 * (seedDemoCity, through its own CLI), optionally reshaped for load (see LOAD_PROFILE), and demo
 * riders put online through the dispatch service's gRPC API.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { MerchantServiceClient, MerchantServiceService } from '@mealpeak/contracts/merchant.v1';
import { call, createGrpcClient } from '@mealpeak/grpc';
import { DEMO_CITY_CENTRE } from '../../services/merchant/src/app/seed.ts';
import { demoRiders, seedRiders, type DemoRider } from '../../services/rider-dispatch/src/app/seed-riders.ts';
import {
  dispatchSeedClient,
  driftAndReport,
  goOnlineVia,
} from '../../services/rider-dispatch/scripts/dispatch-client.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
/** demoMerchantId(n) in services/merchant/src/app/seed.ts: every demo merchant id starts so. */
const DEMO_MERCHANT_PREFIX = '6d0c0000-';

export { DEMO_CITY_CENTRE };

/**
 * Runs `services/merchant/scripts/seed.ts` (the `pnpm seed:merchant` CLI, i.e. seedDemoCity with
 * the merchant migrations applied first) against `pgUrl`. Safe before the services start and while
 * they run. Resolves with the line it printed.
 */
export function seedDemoMerchants(pgUrl: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'services/merchant/scripts/seed.ts')], {
      env: { ...process.env, PG_URL: pgUrl, LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0 ? resolve(out.trim()) : reject(new Error(`merchant seed exited with ${code}:\n${out}`)),
    );
  });
}

/**
 * What the load tests change in the demo city, and why:
 * - open around the clock: the demo opens 10:00-22:00 Berlin time, and a run at 07:00 would only
 *   measure MERCHANT_CLOSED answers;
 * - kitchens of 1,000 without auto-pause: 12 merchants stand in for a whole city's lunch (a real
 *   one gets a few orders a minute; ours get several a second), so the real capacities of 4-8
 *   would turn every run into a MERCHANT_BUSY test;
 * - deep stock: 500 per dish runs out within a minute of the peak.
 */
export interface LoadProfile {
  kitchenCapacity: number;
  basePrepSeconds: number;
  stock: number;
}

export const LOAD_PROFILE: LoadProfile = { kitchenCapacity: 1_000, basePrepSeconds: 300, stock: 1_000_000 };

const ALL_DAY = Array.from({ length: 7 }, (_, dayOfWeek) => ({
  dayOfWeek,
  openMinute: 0,
  closeMinute: 1440,
}));

/** Applies the profile to every demo merchant through the merchant service's gRPC API. */
export async function applyLoadProfile(
  merchantTarget: string,
  profile: LoadProfile = LOAD_PROFILE,
  internalToken?: string,
): Promise<{ merchants: number; items: number }> {
  const client = createGrpcClient(MerchantServiceClient, MerchantServiceService, {
    target: merchantTarget,
    defaultDeadlineMs: 10_000,
    internalToken,
    idempotent: ['listMerchants', 'getMerchant'],
  });
  const fail = (what: string, e: { code: string; message: string }) =>
    new Error(`load profile: ${what}: ${e.code} ${e.message}`);
  try {
    const listed = await call(client.listMerchants.bind(client), {
      near: DEMO_CITY_CENTRE,
      radiusM: 10_000,
      openOnly: false,
      pageSize: 100,
      pageToken: '',
    });
    if (!listed.ok) throw fail('ListMerchants', listed.error);
    const ids = listed.value.merchants
      .map((s) => s.merchant?.id ?? '')
      .filter((id) => id.startsWith(DEMO_MERCHANT_PREFIX));
    if (ids.length === 0) throw new Error('load profile: no demo merchant found (seed the demo city first)');
    let items = 0;
    for (const merchantId of ids) {
      const got = await call(client.getMerchant.bind(client), { merchantId });
      if (!got.ok) throw fail(`GetMerchant ${merchantId}`, got.error);
      const m = got.value.merchant;
      const currency = got.value.menu[0]?.price?.currency ?? 'EUR';
      const upserted = await call(client.upsertMerchant.bind(client), {
        merchantId,
        name: m?.name ?? merchantId,
        location: m?.location ?? DEMO_CITY_CENTRE,
        timeZone: m?.timeZone ?? 'Europe/Berlin',
        openingHours: ALL_DAY,
        kitchenCapacity: profile.kitchenCapacity,
        autoPauseBacklog: 0,
        basePrepSeconds: profile.basePrepSeconds,
        currency,
        deliveryRadiusM: m?.deliveryRadiusM ?? 0,
      });
      if (!upserted.ok) throw fail(`UpsertMerchant ${merchantId}`, upserted.error);
      for (const item of got.value.menu) {
        const set = await call(client.setStock.bind(client), {
          merchantId,
          itemId: item.id,
          stock: profile.stock,
        });
        if (!set.ok) throw fail(`SetStock ${item.id}`, set.error);
        items++;
      }
    }
    return { merchants: ids.length, items };
  } finally {
    client.close();
  }
}

export interface DemoRiderFleet {
  readonly online: number;
  /** Stops the keep-alive pings (the riders then drop off the map after RIDER_POSITION_TTL_MS). */
  stop(): void;
}

/**
 * Puts `count` demo riders online around the demo city through SetRiderOnline (as
 * services/rider-dispatch/scripts/seed-riders.ts does) and keeps them visible with a drifting
 * position every `pingEveryMs` (positions expire after 60 s of silence).
 */
export async function seedDemoRiders(
  dispatchTarget: string,
  count: number,
  opts: {
    prefix?: string;
    pingEveryMs?: number;
    onError?: (message: string) => void;
    /** GRPC_INTERNAL_TOKEN of the stack. */
    internalToken?: string;
  } = {},
): Promise<DemoRiderFleet> {
  const client = dispatchSeedClient(dispatchTarget, opts.internalToken);
  let riders: DemoRider[] = demoRiders({
    count,
    centre: DEMO_CITY_CENTRE,
    radiusM: 2_500,
    shiftMinutes: 8 * 60,
    idPrefix: opts.prefix ?? 'demo-rider',
    now: new Date(),
    random: Math.random,
  });
  const result = await seedRiders(riders, goOnlineVia(client));
  for (const f of result.failed.slice(0, 5))
    opts.onError?.(`rider ${f.riderId} not online: ${f.error.code} ${f.error.message}`);
  const ping = async () => {
    riders = await driftAndReport(client, riders, (message) => opts.onError?.(message));
  };
  const timer = setInterval(() => void ping(), opts.pingEveryMs ?? 15_000);
  return {
    online: result.online,
    stop: () => {
      clearInterval(timer);
      client.close();
    },
  };
}
