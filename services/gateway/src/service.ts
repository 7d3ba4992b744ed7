import type { FastifyListenOptions } from 'fastify';
import type { Redis } from '@mealpeak/redis';
import type { PositionWriter } from '@mealpeak/rider-positions';
import type { BootContext } from '@mealpeak/runtime';
import { createDispatchGrpcAdapter } from './adapters/dispatch-grpc.ts';
import { MemoryIdempotencyStore } from './adapters/memory-idempotency-store.ts';
import { createMerchantGrpcAdapter } from './adapters/merchant-grpc.ts';
import { createOrderGrpcAdapter } from './adapters/order-grpc.ts';
import { createRedisIdempotencyStore } from './adapters/redis-idempotency-store.ts';
import { createRedisPositions, observePing } from './adapters/redis-positions.ts';
import { buildApp } from './app.ts';
import type { PositionsPort } from './app/ports.ts';
import type { Config } from './config.ts';

/** Where the gateway keeps its hot state: Redis, or (single-process local run) in-process stand-ins. */
export interface GatewayStores {
  readonly redis: Redis | undefined;
  /** The local run's shared in-memory position index (used only without Redis). */
  readonly positions?: PositionWriter | undefined;
}

/**
 * The gateway on the stores it is handed. Shutdown steps run in reverse order of registration:
 * HTTP first (in-flight requests finish), then the gRPC channels they used, then the pings still
 * queued (Redis itself is closed by whoever opened it).
 */
export async function runGateway(ctx: BootContext<Config>, stores: GatewayStores): Promise<void> {
  const { config, lifecycle, logger } = ctx;
  let positions: PositionsPort;
  if (stores.redis) {
    // One writer per process: the pings of all concurrent requests share its Redis pipelines.
    const redisPositions = createRedisPositions(stores.redis, {
      namespace: config.RIDER_POSITIONS_NAMESPACE,
      ttlMs: config.RIDER_POSITION_TTL_MS,
      check: config.RIDER_POSITION_CHECK,
      maxSpeedMps: config.RIDER_POSITION_MAX_SPEED_MPS,
      logger,
    });
    lifecycle.onShutdown('position writer', () => redisPositions.close());
    positions = redisPositions;
  } else {
    if (!stores.positions) throw new Error('the gateway needs Redis or an in-memory position index');
    const { write } = stores.positions;
    positions = {
      isAvailable: () => true,
      write: async (ping) => {
        const outcome = await write(ping);
        observePing(ping, outcome, logger);
        return outcome;
      },
    };
  }

  const orders = createOrderGrpcAdapter({
    target: config.ORDER_GRPC_TARGET,
    deadlineMs: config.GRPC_DEADLINE_MS,
    internalToken: config.GRPC_INTERNAL_TOKEN,
    placeOrderDeadlineMs: config.PLACE_ORDER_DEADLINE_MS,
  });
  const merchants = createMerchantGrpcAdapter({
    target: config.MERCHANT_GRPC_TARGET,
    deadlineMs: config.GRPC_DEADLINE_MS,
    internalToken: config.GRPC_INTERNAL_TOKEN,
  });
  const dispatch = createDispatchGrpcAdapter({
    target: config.DISPATCH_GRPC_TARGET,
    deadlineMs: config.GRPC_DEADLINE_MS,
    internalToken: config.GRPC_INTERNAL_TOKEN,
  });
  lifecycle.onShutdown('grpc clients', async () => {
    orders.close();
    merchants.close();
    dispatch.close();
  });

  const app = await buildApp({
    config,
    logger,
    ports: { orders, merchants, dispatch, positions },
    // Without Redis, rate limits are counted per process by the plugin's own memory store.
    idempotency: stores.redis ? createRedisIdempotencyStore(stores.redis) : new MemoryIdempotencyStore(),
    ...(stores.redis ? { rateLimitRedis: stores.redis } : {}),
    isReady: lifecycle.isReady,
  });
  // fastify passes listen options through to net.Server#listen, whose `reusePort` (Node >= 22.12)
  // its types do not list yet.
  const listen: FastifyListenOptions & { reusePort: boolean } = {
    port: config.HTTP_PORT,
    host: config.HTTP_HOST ?? config.LISTEN_HOST,
    reusePort: config.HTTP_REUSE_PORT,
  };
  await app.listen(listen);
  lifecycle.onShutdown('http server', () => app.close());
}
