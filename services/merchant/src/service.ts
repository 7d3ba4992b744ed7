import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { MerchantServiceService } from '@mealpeak/contracts/merchant.v1';
import { TOPICS, prefixTopics } from '@mealpeak/kafka';
import type { BootContext } from '@mealpeak/runtime';
import {
  openDatabase,
  startInboxPurge,
  startOutbox,
  startPurgeLoop,
  type Infra,
  startConsumer,
  serveGrpc,
} from '@mealpeak/service-kit';
import { createOrderServiceClient } from './adapters/order-service-client.ts';
import { createPgStore } from './adapters/pg-store.ts';
import { createMerchantService } from './app.ts';
import type { Config } from './config.ts';

const migrations = fileURLToPath(new URL('../migrations', import.meta.url));

/**
 * The merchant service on the infrastructure it is handed. Shutdown steps run in reverse order
 * of registration: gRPC drains first, then the consumer leaves its group, the backlog recount, the
 * sweeper and the relay stop, the order-service client and producer close, and the pool ends last.
 */
export async function runMerchant(ctx: BootContext<Config>, infra: Infra): Promise<void> {
  const { config, logger, lifecycle } = ctx;
  const pool = await openDatabase(ctx, 'merchant', migrations);

  const topics = prefixTopics(TOPICS, config.KAFKA_TOPIC_PREFIX);
  await infra.bus.ensureTopics([topics.orderEvents, topics.merchantEvents]);
  const producer = infra.bus.producer('merchant');
  await producer.connect();
  lifecycle.onShutdown('event producer', () => producer.disconnect());

  const orders = createOrderServiceClient({
    target: config.ORDER_GRPC_TARGET,
    deadlineMs: config.GRPC_DEADLINE_MS,
    internalToken: config.GRPC_INTERNAL_TOKEN,
  });
  lifecycle.onShutdown('order-service client', async () => orders.close());

  const outbox = await startOutbox(ctx, 'merchant', producer, pool);
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
      maxMenuItems: config.MAX_MENU_ITEMS,
    },
    sweep: { intervalMs: config.SWEEP_INTERVAL_MS, batchSize: config.SWEEP_BATCH_SIZE },
    recount: { intervalMs: config.BACKLOG_RECOUNT_INTERVAL_MS, batchSize: config.BACKLOG_RECOUNT_BATCH_SIZE },
  });

  service.sweeper.start();
  lifecycle.onShutdown('reservation sweeper', () => service.sweeper.stop());
  const recount = service.startBacklogRecount(config.BACKLOG_RECOUNT_INTERVAL_MS * Math.random());
  lifecycle.onShutdown('backlog recount', () => recount.stop());

  // Before the consumer joins its group (serveGrpc says why).
  const drainGrpcFirst = await serveGrpc(ctx, MerchantServiceService, service.grpc);

  await startConsumer(ctx, infra.bus, {
    groupId: 'merchant',
    topics: [topics.orderEvents],
    handlers: service.eventHandlers,
  });
  startInboxPurge(ctx, pool);
  // Finished kitchen rows and reservations, on the inbox's schedule (docs/merchant.md).
  startPurgeLoop(ctx, 'finished-work purge', (limit) =>
    service.useCases.purgeFinished(config.KITCHEN_RETENTION_HOURS, limit),
  );

  drainGrpcFirst(); // registered last, so it runs first
}
