import { createRedis } from '@mealpeak/redis';
import { bootService } from '@mealpeak/runtime';
import { configSchema } from './config.ts';
import { runGateway } from './service.ts';

await bootService('gateway', configSchema, async (ctx) => {
  const { config, lifecycle, logger } = ctx;
  const redis = createRedis({ url: config.REDIS_URL, logger, keyPrefix: config.REDIS_KEY_PREFIX });
  lifecycle.onShutdown('redis', async () => redis.disconnect());
  // Rate-limit counters and idempotency records fail open (docs/adr/0007) and position pings answer
  // 503 until it is back: the gateway serves without Redis while ioredis keeps reconnecting.
  redis
    .connect()
    .catch((err: unknown) => logger.warn({ err }, 'redis unreachable at start-up; serving without it'));
  await runGateway(ctx, { redis });
});
