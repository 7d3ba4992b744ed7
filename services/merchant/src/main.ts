import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { MerchantServiceService } from '@mealpeak/contracts/merchant.v1';
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
import { bootService } from '@mealpeak/runtime';
import { createOrderServiceClient } from './adapters/order-service-client.ts';
import { createPgStore } from './adapters/pg-store.ts';
import { createMerchantService } from './app.ts';
import { configSchema } from './config.ts';

// Shutdown steps run in reverse order of registration: gRPC drains first, then the consumer leaves
// its group, the sweeper and the relay stop, the order-service client and producer close, and the
// pool ends last.
await bootService('merchant', configSchema, async ({ config, logger, lifecycle }) => {
  const pool = createPool({
    url: config.PG_URL,
    max: config.PG_POOL_MAX,
    schema: config.PG_SCHEMA,
    statementTimeoutMs: config.PG_STATEMENT_TIMEOUT_MS,
    applicationName: 'merchant',
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

  const topics = prefixTopics(TOPICS, config.KAFKA_TOPIC_PREFIX);
  const kafka = createKafka({ brokers: config.KAFKA_BROKERS, clientId: config.KAFKA_CLIENT_ID, logger });
  await ensureTopics(kafka, [topics.orderEvents, topics.merchantEvents]);
  const producer = createProducer(kafka, 'merchant');
  await producer.connect();
  lifecycle.onShutdown('kafka producer', () => producer.disconnect());

  const orders = createOrderServiceClient({
    target: config.ORDER_GRPC_TARGET,
    deadlineMs: config.GRPC_DEADLINE_MS,
  });
  lifecycle.onShutdown('order-service client', async () => orders.close());

  const outbox = createOutbox({ schema: config.PG_SCHEMA, partitions: config.OUTBOX_PARTITIONS });
  const service = createMerchantService({
    store: createPgStore({ pool, outbox, merchantEventsTopic: topics.merchantEvents }),
    orders,
    clock: { now: () => new Date() },
    ids: { newId: () => randomUUID() },
    logger,
    settings: {
      reservationTtlSeconds: config.RESERVATION_TTL_SECONDS,
      sweepRetryMs: config.SWEEP_RETRY_MS,
      catalogueCacheMs: config.CATALOGUE_CACHE_MS,
    },
    sweep: { intervalMs: config.SWEEP_INTERVAL_MS, batchSize: config.SWEEP_BATCH_SIZE },
  });

  const relay = createOutboxRelay({
    url: config.PG_URL,
    schema: config.PG_SCHEMA,
    partitions: config.OUTBOX_PARTITIONS,
    producer,
    producerName: 'merchant',
    logger,
  });
  await relay.start();
  lifecycle.onShutdown('outbox relay', () => relay.stop());

  service.sweeper.start();
  lifecycle.onShutdown('reservation sweeper', () => service.sweeper.stop());

  const consumer = createConsumer(kafka, {
    // Prefixed like the topics, so environments sharing a cluster never share offsets.
    groupId: `${config.KAFKA_TOPIC_PREFIX}merchant`,
    topics: [topics.orderEvents],
    handlers: service.eventHandlers,
    logger,
  });
  await consumer.start();
  lifecycle.onShutdown('order-events consumer', () => consumer.stop());

  const grpc = createGrpcServer({ logger, port: config.GRPC_PORT });
  grpc.add(MerchantServiceService, service.grpc);
  await grpc.start();
  lifecycle.onShutdown('grpc server', () => grpc.shutdown(config.SHUTDOWN_TIMEOUT_MS / 2));
});
