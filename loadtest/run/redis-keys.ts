import { Redis } from 'ioredis';

/**
 * Deletes a run's Redis keys (every key starting with `prefix`: idempotency keys, rate-limit
 * counters, zone leases, and the rider-positions index, which has no expiry) from the Redis the
 * run used. Best effort: resolves how many went, or undefined when Redis could not be reached.
 */
export async function deleteRedisKeys(url: string, prefix: string): Promise<number | undefined> {
  if (!url || !/^[A-Za-z0-9._-]+:$/.test(prefix)) return undefined;
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 2_000 });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    let deleted = 0;
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1_000);
      cursor = next;
      if (keys.length) deleted += await redis.unlink(...keys);
    } while (cursor !== '0');
    return deleted;
  } catch {
    return undefined;
  } finally {
    redis.disconnect();
  }
}
