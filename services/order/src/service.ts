import { fileURLToPath } from 'node:url';
import { OrderServiceService } from '@mealpeak/contracts/order.v1';
import { TOPICS, prefixTopics } from '@mealpeak/kafka';
import type { BootContext } from '@mealpeak/runtime';
import {
  openDatabase,
  startInboxPurge,
  startOutbox,
  type Infra,
  startConsumer,
  serveGrpc,
} from '@mealpeak/service-kit';
import { createMerchantReservations } from './adapters/merchant-reservations.ts';
import { buildOrderApp } from './app.ts';
import type { Config } from './config.ts';
import { startAcceptanceSweeper } from './transport/acceptance-sweeper.ts';
import { observeAcceptedOverdue } from './transport/overdue-metrics.ts';

const migrations = fileURLToPath(new URL('../migrations', import.meta.url));

/**
 * The order service on the infrastructure it is handed (main.ts: Kafka; the local run: the
 * in-memory bus). Shutdown steps run in reverse order of registration: the gRPC server drains
 * first, then the sweeper and the consumer stop, the merchant client closes, the relay stops, the
 * producer disconnects and the pool ends last.
 */
export async function runOrder(ctx: BootContext<Config>, infra: Infra): Promise<void> {
  const { config, logger, lifecycle } = ctx;
  const pool = await openDatabase(ctx, 'order', migrations);

  const topics = prefixTopics(TOPICS, config.KAFKA_TOPIC_PREFIX);
  await infra.bus.ensureTopics([topics.orderEvents, topics.dispatchEvents]);
  const producer = infra.bus.producer('order');
  await producer.connect();
  lifecycle.onShutdown('event producer', () => producer.disconnect());
  const outbox = await startOutbox(ctx, 'order', producer, pool);

  const reservations = createMerchantReservations({
    target: config.MERCHANT_GRPC_TARGET,
    deadlineMs: config.RESERVE_DEADLINE_MS,
    internalToken: config.GRPC_INTERNAL_TOKEN,
  });
  lifecycle.onShutdown('merchant client', async () => reservations.close());

  const app = buildOrderApp({
    pool,
    outbox,
    reservations,
    clock: { now: () => new Date() },
    policy: {
      acceptTimeoutSeconds: config.ACCEPT_TIMEOUT_SECONDS,
      promiseMarginSeconds: config.PROMISE_MARGIN_MINUTES * 60,
      riderSpeedMps: config.PROMISE_RIDER_SPEED_MPS,
    },
    logger,
    topics,
  });

  // Before the consumer joins its group (serveGrpc says why).
  const drainGrpcFirst = await serveGrpc(ctx, OrderServiceService, app.grpcHandlers);

  await startConsumer(ctx, infra.bus, app.consumer);
  startInboxPurge(ctx, pool);

  const sweeper = startAcceptanceSweeper(app.useCases, config.ACCEPT_SWEEP_INTERVAL_MS, logger);
  lifecycle.onShutdown('acceptance sweeper', () => sweeper.stop());

  observeAcceptedOverdue(() => app.useCases.acceptedOverdue(config.ACCEPTED_OVERDUE_GRACE_MS));

  drainGrpcFirst(); // registered last, so it runs first
}
