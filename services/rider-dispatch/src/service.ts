import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { fileURLToPath } from 'node:url';
import { DispatchServiceService } from '@mealpeak/contracts/dispatch.v1';
import { TOPICS, prefixTopics } from '@mealpeak/kafka';
import {
  openDatabase,
  startInboxPurge,
  startOutbox,
  startPurgeLoop,
  type Infra,
  startConsumer,
  serveGrpc,
} from '@mealpeak/service-kit';
import { createMemoryZoneLeases } from './adapters/memory-zone-leases.ts';
import { createRedisZoneLeases } from './adapters/redis-zone-leases.ts';
import { buildDispatchApp } from './app.ts';
import type { Config } from './config.ts';
import { drain, startLoop, type BootContext } from '@mealpeak/runtime';
import { observeQueue, observeZonesHeld } from './transport/metrics.ts';

const migrations = fileURLToPath(new URL('../migrations', import.meta.url));

/**
 * The dispatch service on the infrastructure it is handed. Shutdown steps run in reverse order
 * of registration: the round loop stops first and gives its leases back (another replica takes
 * the zones at once, not after the TTL), then gRPC drains, the sweepers stop, the consumer
 * leaves its group, the relay stops, and producer and pool close last.
 */
export async function runDispatch(ctx: BootContext<Config>, infra: Infra): Promise<void> {
  const { config, logger: baseLogger, lifecycle } = ctx;
  const replicaId = config.REPLICA_ID ?? `${hostname()}-${process.pid}`;
  const logger = baseLogger.child({ replica: replicaId });

  const pool = await openDatabase(ctx, 'rider-dispatch', migrations);

  // Real Redis, or the in-process stand-ins of the single-process local run.
  if (!infra.positions) throw new Error('rider-dispatch needs the rider-position index (Redis or in-memory)');
  const { writer, reader } = infra.positions;
  const leases = infra.redis
    ? createRedisZoneLeases(infra.redis, config.LEASE_TTL_MS)
    : createMemoryZoneLeases(config.LEASE_TTL_MS);

  const topics = prefixTopics(TOPICS, config.KAFKA_TOPIC_PREFIX);
  await infra.bus.ensureTopics([topics.orderEvents, topics.dispatchEvents]);
  const producer = infra.bus.producer('rider-dispatch');
  await producer.connect();
  lifecycle.onShutdown('event producer', () => producer.disconnect());
  const outbox = await startOutbox(ctx, 'rider-dispatch', producer, pool);

  const app = buildDispatchApp({
    pool,
    outbox,
    positions: { ...reader, write: writer.write, remove: writer.remove },
    leases,
    clock: { now: () => new Date() },
    ids: { newId: randomUUID },
    settings: {
      replicaId,
      zoneSizeM: config.ZONE_SIZE_M,
      zoneRiderRadiusM: config.ZONE_RIDER_RADIUS_M,
      maxOrdersPerRound: config.MAX_ORDERS_PER_ROUND,
      maxRidersPerRound: config.MAX_RIDERS_PER_ROUND,
      roundIntervalMs: config.ROUND_INTERVAL_MS,
      strategy: config.DISPATCH_STRATEGY,
      riderSpeedMps: config.RIDER_SPEED_MPS,
      offerTimeoutMs: config.OFFER_TIMEOUT_MS,
      commitSlackMs: config.DISPATCH_COMMIT_SLACK_MS,
      declineCooldownMs: config.DECLINE_COOLDOWN_MS,
      defaultShiftMs: config.DEFAULT_SHIFT_MINUTES * 60_000,
      positionTtlMs: config.RIDER_POSITION_TTL_MS,
      silentReassignMs: config.RIDER_SILENT_REASSIGN_MS,
      shiftEndReassignMs: config.RIDER_SHIFT_END_REASSIGN_MS,
      handover: { mode: config.HANDOVER_CHECK, maxDistanceM: config.HANDOVER_MAX_DISTANCE_M },
    },
    leaseTtlMs: config.LEASE_TTL_MS,
    logger,
    topics,
  });

  // Before the consumer joins its group (serveGrpc says why).
  const registerGrpcDrain = await serveGrpc({ ...ctx, logger }, DispatchServiceService, app.grpcHandlers);

  await startConsumer({ ...ctx, logger }, infra.bus, app.consumer);
  startInboxPurge(ctx, pool);
  startPurgeLoop(ctx, 'finished-work purge', (limit) =>
    app.useCases.purgeFinished(config.DISPATCH_RETENTION_HOURS, limit),
  );

  // Every replica sweeps; SKIP LOCKED and idempotent deletes keep them out of each other's way.
  const sweepers = [
    startLoop(
      'offer expiry',
      config.OFFER_SWEEP_INTERVAL_MS,
      drain((n) => app.useCases.expireOffers(n), 100),
      logger,
    ),
    startLoop(
      'decline purge',
      60_000,
      drain((n) => app.useCases.purgeDeclines(n), 1_000),
      logger,
    ),
    // Orders accepted by riders who are silent, leaving or off shift go back to waiting.
    startLoop('order release', config.RELEASE_SWEEP_INTERVAL_MS, () => app.useCases.sweepReleases(), logger),
    startLoop(
      'position janitor',
      config.POSITION_CLEANUP_INTERVAL_MS,
      drain(writer.purgeSilent, 1_000),
      logger,
    ),
  ];
  lifecycle.onShutdown('sweepers', async () => void (await Promise.all(sweepers.map((s) => s.stop()))));

  const leaseLoop = startLoop(
    'zone leases',
    Math.floor(config.LEASE_TTL_MS / 3),
    () => app.scheduler.leaseTick(),
    logger,
  );
  const roundLoop = startLoop(
    'dispatch rounds',
    config.ROUND_INTERVAL_MS,
    () => app.scheduler.roundTick(),
    logger,
  );
  observeZonesHeld(() => app.scheduler.held().length);
  observeQueue(() => app.useCases.queueStats());

  registerGrpcDrain();
  // Registered after the gRPC drain, so it runs before it: behind a drain of up to half the
  // shutdown budget, a tick through every held zone could run past the budget, and the process
  // would exit holding its leases (their zones idle until the TTL). No gRPC call needs the rounds.
  lifecycle.onShutdown('zone scheduler', async () => {
    app.scheduler.stop(); // the tick in hand ends after its current zone
    await roundLoop.stop();
    await leaseLoop.stop();
    await app.scheduler.releaseAll();
  });
}
