import { fileURLToPath } from 'node:url';
import { OrderServiceService } from '@mealpeak/contracts/order.v1';
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
import { createMerchantReservations } from './adapters/merchant-reservations.ts';
import { buildOrderApp } from './app.ts';
import { configSchema } from './config.ts';
import { startAcceptanceSweeper } from './transport/acceptance-sweeper.ts';

await bootService('order', configSchema, async ({ config, logger, lifecycle }) => {
  const pool = createPool({
    url: config.PG_URL,
    max: config.PG_POOL_MAX,
    schema: config.PG_SCHEMA,
    statementTimeoutMs: config.PG_STATEMENT_TIMEOUT_MS,
    applicationName: 'order',
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
  await ensureTopics(kafka, [topics.orderEvents, topics.dispatchEvents]);
  const producer = createProducer(kafka, 'order');
  await producer.connect();
  lifecycle.onShutdown('kafka producer', () => producer.disconnect());

  const outboxSettings = { schema: config.PG_SCHEMA, partitions: config.OUTBOX_PARTITIONS };
  // The relay can run elsewhere (OUTBOX_RELAY_ENABLED=false): placement never waits for Kafka.
  const relay = createOutboxRelay({
    ...outboxSettings,
    url: config.PG_URL,
    producer,
    producerName: 'order',
    logger,
    batchSize: config.OUTBOX_BATCH_SIZE,
  });
  if (config.OUTBOX_RELAY_ENABLED) {
    await relay.start();
    lifecycle.onShutdown('outbox relay', () => relay.stop());
  }

  const reservations = createMerchantReservations({
    target: config.MERCHANT_GRPC_TARGET,
    deadlineMs: config.RESERVE_DEADLINE_MS,
  });
  lifecycle.onShutdown('merchant client', async () => reservations.close());

  const app = buildOrderApp({
    pool,
    outbox: createOutbox(outboxSettings),
    reservations,
    clock: { now: () => new Date() },
    policy: { acceptTimeoutSeconds: config.ACCEPT_TIMEOUT_SECONDS, promiseMinutes: config.PROMISE_MINUTES },
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

  const sweeper = startAcceptanceSweeper(app.useCases, config.ACCEPT_SWEEP_INTERVAL_MS, logger);
  lifecycle.onShutdown('acceptance sweeper', () => sweeper.stop());

  const grpc = createGrpcServer({ logger, port: config.GRPC_PORT });
  grpc.add(OrderServiceService, app.grpcHandlers);
  await grpc.start();
  // Registered last, so it drains first: in-flight calls finish before anything they use closes.
  lifecycle.onShutdown('grpc server', () => grpc.shutdown(config.SHUTDOWN_TIMEOUT_MS / 2));
});
