/**
 * Puts demo riders online around a centre through a running dispatch service's gRPC API, and
 * (with --ping-every-s) keeps them visible by reporting slightly drifting positions until Ctrl-C:
 * positions expire after RIDER_POSITION_TTL_MS (60 s) of silence.
 *
 *   pnpm exec node services/rider-dispatch/scripts/seed-riders.ts --count 200 \
 *     [--lat 52.52 --lng 13.405] [--radius-m 2500] [--shift-minutes 240] [--prefix demo-rider] \
 *     [--target 127.0.0.1:50053] [--ping-every-s 15]
 *
 * Safe to run again: the same prefix gives the same rider ids (their positions are re-drawn).
 */
import { parseArgs } from 'node:util';
import { DEMO_CITY_CENTRE, demoRiders, seedRiders, type DemoRider } from '../src/app/seed-riders.ts';
import { dispatchSeedClient, driftAndReport, goOnlineVia } from './dispatch-client.ts';

const { values } = parseArgs({
  options: {
    count: { type: 'string', default: '100' },
    lat: { type: 'string', default: String(DEMO_CITY_CENTRE.lat) },
    lng: { type: 'string', default: String(DEMO_CITY_CENTRE.lng) },
    'radius-m': { type: 'string', default: '2500' },
    'shift-minutes': { type: 'string', default: '240' },
    prefix: { type: 'string', default: 'demo-rider' },
    target: { type: 'string', default: process.env['DISPATCH_GRPC_TARGET'] ?? '127.0.0.1:50053' },
    'ping-every-s': { type: 'string', default: '0' },
  },
});
const say = (line: string) => process.stdout.write(`${line}\n`);
const warn = (line: string) => process.stderr.write(`${line}\n`);
const number = (name: keyof typeof values): number => {
  const n = Number(values[name]);
  if (!Number.isFinite(n)) throw new Error(`--${name} must be a number, got ${String(values[name])}`);
  return n;
};

const client = dispatchSeedClient(values.target, process.env['GRPC_INTERNAL_TOKEN']);
const riders = demoRiders({
  count: number('count'),
  centre: { lat: number('lat'), lng: number('lng') },
  radiusM: number('radius-m'),
  shiftMinutes: number('shift-minutes'),
  idPrefix: values.prefix,
  now: new Date(),
  random: Math.random,
});
const result = await seedRiders(riders, goOnlineVia(client));
say(`${result.online} riders online around ${values.lat},${values.lng} via ${values.target}`);
for (const f of result.failed.slice(0, 5)) warn(`  ${f.riderId}: ${f.error.code} ${f.error.message}`);

const everyS = number('ping-every-s');
if (everyS <= 0 || result.online === 0) {
  client.close();
  process.exit(result.failed.length > 0 ? 1 : 0);
}

let positions: DemoRider[] = riders;
const ping = async () => {
  positions = await driftAndReport(client, positions, warn);
};
const timer = setInterval(() => void ping(), everyS * 1000);
say(`pinging every ${everyS} s; Ctrl-C to stop`);
process.once('SIGINT', () => {
  clearInterval(timer);
  client.close();
});
