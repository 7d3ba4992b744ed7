import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestRedis, type TestRedis } from '@mealpeak/testing';
import { createLogger } from '@mealpeak/telemetry';
import { createRedis, createScriptRunner, type Redis } from '../src/index.ts';

describe('redis client against the real server', () => {
  let fixture: TestRedis;
  let redis: Redis;
  beforeAll(async () => {
    fixture = await createTestRedis();
    redis = createRedis({
      url: fixture.url,
      keyPrefix: fixture.prefix,
      logger: createLogger({ service: 't', level: 'silent' }),
    });
    await redis.connect();
  });
  afterAll(async () => {
    redis?.disconnect();
    await fixture?.cleanup();
  });

  it('round-trips strings with expiry and atomic set-if-absent', async () => {
    expect(await redis.set('lease', 'a', 'PX', 5_000, 'NX')).toBe('OK');
    expect(await redis.set('lease', 'b', 'PX', 5_000, 'NX')).toBeNull();
    expect(await redis.get('lease')).toBe('a');
    expect(await redis.pttl('lease')).toBeGreaterThan(0);
  });

  it('pipelines GEO writes and answers a radius query', async () => {
    const pipe = redis.pipeline();
    pipe.geoadd('riders', 13.405, 52.52, 'r1');
    pipe.geoadd('riders', 13.41, 52.521, 'r2');
    pipe.geoadd('riders', 13.9, 52.9, 'far');
    const results = await pipe.exec();
    expect(results?.every(([e]) => e === null)).toBe(true);
    const near = await redis.geosearch('riders', 'FROMLONLAT', 13.405, 52.52, 'BYRADIUS', 2, 'km', 'ASC');
    expect(near).toEqual(['r1', 'r2']);
  });

  it('applies the key prefix so test files never see each other', async () => {
    await redis.set('shared-name', 'mine');
    const raw = createRedis({ url: fixture.url, logger: createLogger({ service: 't', level: 'silent' }) });
    await raw.connect();
    try {
      expect(await raw.get('shared-name')).toBeNull();
      expect(await raw.get(`${fixture.prefix}shared-name`)).toBe('mine');
    } finally {
      raw.disconnect();
    }
  });

  it('runs scripts by EVALSHA under the key prefix, and reloads them after Redis lost its script cache', async () => {
    const incrBy = createScriptRunner(redis, `return redis.call('INCRBY', KEYS[1], ARGV[1])`);
    expect(await incrBy.one({ keys: ['script-counter'], args: [2] })).toBe(2);
    expect(await redis.get('script-counter')).toBe('2');

    await redis.script('FLUSH'); // what a Redis restart or failover does to the cache
    const results = await incrBy.many([
      { keys: ['script-counter'], args: [3] },
      { keys: ['script-counter'], args: ['not a number'] },
    ]);
    expect(results[0]).toBe(5);
    expect(results[1]).toBeInstanceOf(Error); // a failing call fails alone
    await expect(incrBy.one({ keys: ['script-counter'], args: ['x'] })).rejects.toThrow();
  });
});
