import { createKafkaBus, type EventBus } from '@mealpeak/kafka';
import { createRedis, type Redis } from '@mealpeak/redis';
import {
  createPositionReader,
  createPositionWriter,
  DEFAULT_PLAUSIBILITY,
  type PositionCheck,
} from '@mealpeak/rider-positions';
import type { BootContext } from '@mealpeak/runtime';
import type { Infra } from './infra.ts';

export interface InfraConfig {
  readonly KAFKA_BROKERS: readonly string[];
  readonly KAFKA_CLIENT_ID?: string;
  readonly REDIS_URL?: string;
  readonly REDIS_KEY_PREFIX?: string;
  readonly RIDER_POSITIONS_NAMESPACE?: string;
  readonly RIDER_POSITION_TTL_MS?: number;
  readonly RIDER_POSITION_CHECK?: PositionCheck;
  readonly RIDER_POSITION_MAX_SPEED_MPS?: number;
}

/**
 * The real servers, as every deployment uses them: Kafka, and Redis (with the rider-position
 * index on it) when the service uses Redis at all.
 */
export async function connectInfra(
  ctx: BootContext<InfraConfig>,
  service: string,
  needs: { redis: boolean },
): Promise<Infra> {
  const { config, logger, lifecycle } = ctx;
  const bus: EventBus = createKafkaBus({
    brokers: config.KAFKA_BROKERS,
    clientId: config.KAFKA_CLIENT_ID ?? service,
    logger,
  });
  if (!needs.redis || !config.REDIS_URL) return { bus, redis: undefined, positions: undefined };
  const redis: Redis = createRedis({
    url: config.REDIS_URL,
    logger,
    ...(config.REDIS_KEY_PREFIX ? { keyPrefix: config.REDIS_KEY_PREFIX } : {}),
  });
  await redis.connect();
  lifecycle.onShutdown('redis', async () => void (await redis.quit()));
  const index = {
    ...(config.RIDER_POSITIONS_NAMESPACE ? { namespace: config.RIDER_POSITIONS_NAMESPACE } : {}),
    ...(config.RIDER_POSITION_TTL_MS ? { ttlMs: config.RIDER_POSITION_TTL_MS } : {}),
  };
  const writer = createPositionWriter(redis, {
    ...index,
    ...(config.RIDER_POSITION_CHECK ? { check: config.RIDER_POSITION_CHECK } : {}),
    plausibility: {
      ...DEFAULT_PLAUSIBILITY,
      maxSpeedMps: config.RIDER_POSITION_MAX_SPEED_MPS ?? DEFAULT_PLAUSIBILITY.maxSpeedMps,
    },
  });
  lifecycle.onShutdown('position writer', () => writer.close());
  return { bus, redis, positions: { writer, reader: createPositionReader(redis, index) } };
}
