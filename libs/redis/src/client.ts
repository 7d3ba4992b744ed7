import { Redis } from 'ioredis';
import type { Logger } from '@mealpeak/telemetry';

export type { Redis } from 'ioredis';

export interface RedisSettings {
  url: string;
  logger: Logger;
  /** Prefix for every key (tests isolate themselves with it). */
  keyPrefix?: string;
}

/**
 * Hot-state client. Commands fail fast when Redis is away (no unbounded offline queue), because
 * every caller on the request path has a fallback or an error to return; reconnects back off.
 */
export function createRedis(settings: RedisSettings): Redis {
  const log = settings.logger.child({ component: 'redis' });
  const client = new Redis(settings.url, {
    lazyConnect: true,
    maxRetriesPerRequest: 1,
    enableOfflineQueue: true,
    connectTimeout: 2_000,
    commandTimeout: 1_000,
    retryStrategy: (times) => Math.min(50 * 2 ** times, 2_000),
    ...(settings.keyPrefix ? { keyPrefix: settings.keyPrefix } : {}),
  });
  let lastError = 0;
  client.on('error', (err: Error) => {
    // Reconnect loops emit an error per attempt: log at most one a second.
    if (Date.now() - lastError > 1_000) log.warn({ err }, 'redis connection error');
    lastError = Date.now();
  });
  return client;
}
