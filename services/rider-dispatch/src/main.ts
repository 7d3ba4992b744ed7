import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { fileURLToPath } from 'node:url';
import { DispatchServiceService } from '@mealpeak/contracts/dispatch.v1';
import { createPool, migrate } from '@mealpeak/db';
import { createGrpcServer } from '@mealpeak/grpc';
import {
  TOPICS,
  createConsumer,
  createKafka,
  createProducer,
  ensureTopics,
  prefixTopics,
} from '@mealpeak/kafka';
import { createOutbox, createOutboxRelay } from '@mealpeak/outbox';
import { createRedis } from '@mealpeak/redis';
import { createPositionReader, createPositionWriter } from '@mealpeak/rider-positions';
import { bootService } from '@mealpeak/runtime';
import { createRedisZoneLeases } from './adapters/redis-zone-leases.ts';
import { buildDispatchApp } from './app.ts';
import { configSchema } from './config.ts';
import { drain, startLoop } from './transport/loops.ts';
import { observeZonesHeld } from './transport/metrics.ts';

// Shutdown steps run in reverse order of registration: gRPC drains first, then the round loop
// stops and gives its leases back (another replica takes the zones at once, not after the TTL),
// the sweepers stop, the consumer leaves its group, the relay stops, and producer, Redis and the
// pool close last.
await bootService('rider-dispatch', configSchema, async ({ config, logger: baseLogger, lifecycle }) => {
  const replicaId = config.REPLICA_ID ?? `${hostname()}-${process.pid}`;
  const logger = baseLogger.child({ replica: replicaId });

  const pool = createPool({
    url: config.PG_URL,
    max: config.PG_POOL_MAX,
    schema: config.PG_SCHEMA,
    statementTimeoutMs: config.PG_STATEMENT_TIMEOUT_MS,
    applicationName: 'rider-dispatch',
  });
  lifecycle.onShutdown('pg pool', () => pool.end());
  if (config.MIGRATE_ON_START) {
    const report = await migrate(
      pool,
      config.PG_SCHEMA,
      fileURLToPath(new URL('../migrations', import.meta.url)),
    );
    logger.info(report, 'migrations checked');
  }

  const redis = createRedis({ url: config.REDIS_URL, logger, keyPrefix: config.REDIS_KEY_PREFIX });
  await redis.connect();
  lifecycle.onShutdown('redis', async () => void (await redis.quit()));

  const topics = prefixTopics(TOPICS, config.KAFKA_TOPIC_PREFIX);
  const kafka = createKafka({ brokers: config.KAFKA_BROKERS, clientId: config.KAFKA_CLIENT_ID, logger });
  await ensureTopics(kafka, [topics.orderEvents, topics.dispatchEvents]);
  const producer = createProducer(kafka, 'rider-dispatch');
  await producer.connect();
  lifecycle.onShutdown('kafka producer', () => producer.disconnect());

  const outboxSettings = { schema: config.PG_SCHEMA, partitions: config.OUTBOX_PARTITIONS };
  if (config.OUTBOX_RELAY_ENABLED) {
    const relay = createOutboxRelay({
      ...outboxSettings,
      url: config.PG_URL,
      producer,
      producerName: 'rider-dispatch',
      logger,
      batchSize: config.OUTBOX_BATCH_SIZE,
    });
    await relay.start();
    lifecycle.onShutdown('outbox relay', () => relay.stop());
  }

  const index = { namespace: config.RIDER_POSITIONS_NAMESPACE, ttlMs: config.RIDER_POSITION_TTL_MS };
  const writer = createPositionWriter(redis, index);
  const reader = createPositionReader(redis, index);
  lifecycle.onShutdown('position writer', () => writer.close());

  const app = buildDispatchApp({
    pool,
    outbox: createOutbox(outboxSettings),
    positions: { ...reader, write: writer.write, remove: writer.remove },
    leases: createRedisZoneLeases(redis, config.LEASE_TTL_MS),
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
    },
    leaseTtlMs: config.LEASE_TTL_MS,
    logger,
    topics,
  });

  // The group is prefixed like the topics, so environments sharing a cluster never share offsets.
  const consumer = createConsumer(kafka, {
    ...app.consumer,
    groupId: `${config.KAFKA_TOPIC_PREFIX}${app.consumer.groupId}`,
    logger,
  });
  await consumer.start();
  lifecycle.onShutdown('kafka consumer', () => consumer.stop());

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
  lifecycle.onShutdown('zone scheduler', async () => {
    await roundLoop.stop();
    await leaseLoop.stop();
    await app.scheduler.releaseAll();
  });

  const grpc = createGrpcServer({ logger, port: config.GRPC_PORT });
  grpc.add(DispatchServiceService, app.grpcHandlers);
  await grpc.start();
  // Registered last, so it drains first: in-flight calls finish before anything they use closes.
  lifecycle.onShutdown('grpc server', () => grpc.shutdown(config.SHUTDOWN_TIMEOUT_MS / 2));
});
