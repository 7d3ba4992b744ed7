import { deleteRedisKeys as deleteKeys } from '@mealpeak/testing';

/**
 * Deletes a run's Redis keys (every key starting with `prefix`: idempotency keys, rate-limit
 * counters, zone leases, and the rider-positions index, which has no expiry) from the Redis the
 * run used. Best effort: resolves how many went, or undefined when Redis could not be reached.
 */
export async function deleteRedisKeys(url: string, prefix: string): Promise<number | undefined> {
  if (!url || !/^[A-Za-z0-9._-]+:$/.test(prefix)) return undefined;
  return deleteKeys(url, prefix).catch(() => undefined);
}
