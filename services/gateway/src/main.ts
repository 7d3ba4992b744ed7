import type { FastifyListenOptions } from 'fastify';
import { bootService } from '@mealpeak/runtime';
import { createRedis } from '@mealpeak/redis';
import { createMerchantGrpcAdapter } from './adapters/merchant-grpc.ts';
import { createOrderGrpcAdapter } from './adapters/order-grpc.ts';
import { createRedisIdempotencyStore } from './adapters/redis-idempotency-store.ts';
import { buildApp } from './app.ts';
import { configSchema } from './config.ts';

await bootService('gateway', configSchema, async ({ config, lifecycle, logger }) => {
  // Shutdown steps run in reverse order of registration: HTTP first (in-flight requests finish),
  // then the gRPC channels they used, then Redis.
  const redis = createRedis({ url: config.REDIS_URL, logger });
  lifecycle.onShutdown('redis', async () => redis.disconnect());
  // Redis only holds rate-limit counters and idempotency records, and both fail open (docs/adr/0007):
  // the gateway serves without it and ioredis keeps reconnecting in the background.
  redis
    .connect()
    .catch((err: unknown) => logger.warn({ err }, 'redis unreachable at start-up; serving without it'));

  const orders = createOrderGrpcAdapter({
    target: config.ORDER_GRPC_TARGET,
    deadlineMs: config.GRPC_DEADLINE_MS,
    placeOrderDeadlineMs: config.PLACE_ORDER_DEADLINE_MS,
  });
  const merchants = createMerchantGrpcAdapter({
    target: config.MERCHANT_GRPC_TARGET,
    deadlineMs: config.GRPC_DEADLINE_MS,
  });
  lifecycle.onShutdown('grpc clients', async () => {
    orders.close();
    merchants.close();
  });

  const app = await buildApp({
    config,
    logger,
    ports: { orders, merchants },
    idempotency: createRedisIdempotencyStore(redis),
    rateLimitRedis: redis,
    isReady: lifecycle.isReady,
  });
  // fastify passes listen options through to net.Server#listen, whose `reusePort` (Node >= 22.12)
  // its types do not list yet.
  const listen: FastifyListenOptions & { reusePort: boolean } = {
    port: config.HTTP_PORT,
    host: config.HTTP_HOST,
    reusePort: config.HTTP_REUSE_PORT,
  };
  await app.listen(listen);
  lifecycle.onShutdown('http server', () => app.close());
});
