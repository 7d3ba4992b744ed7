import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { createTestRedis, type TestRedis } from '@mealpeak/testing';
import { deleteRedisKeys } from './redis-keys.ts';

describe("a load-test run's Redis keys", () => {
  let redis: TestRedis;
  beforeAll(async () => {
    redis = await createTestRedis();
  });
  afterAll(async () => redis?.cleanup());

  it('are deleted, every one under the run prefix and nothing else', async () => {
    const raw = new Redis(redis.url);
    try {
      const run = `ltrun${Date.now().toString(36)}:`;
      const other = `ltother${Date.now().toString(36)}:`;
      await raw.set(`${run}idem:k1`, 'x', 'EX', 600);
      await raw.geoadd(`${run}{rider-positions}:geo`, 13.4, 52.5, 'r-1'); // no expiry
      await raw.set(`${other}idem:k1`, 'keep', 'EX', 600);
      expect(await deleteRedisKeys(redis.url, run)).toBe(2);
      expect(await raw.exists(`${run}idem:k1`, `${run}{rider-positions}:geo`)).toBe(0);
      expect(await raw.get(`${other}idem:k1`)).toBe('keep');
      await raw.del(`${other}idem:k1`);
      expect(await deleteRedisKeys('redis://127.0.0.1:1', run)).toBeUndefined();
    } finally {
      raw.disconnect();
    }
  });
});
