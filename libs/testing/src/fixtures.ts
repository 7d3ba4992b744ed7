import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import pg from 'pg';
import { Redis } from 'ioredis';
import { Kafka, logLevel } from 'kafkajs';
import { createTopicsUntilLed } from '@mealpeak/kafka';
import { MissingInfraError } from './infra-source.ts';
import { deleteRedisKeys } from './redis-keys.ts';

const uniqueSuffix = () => randomBytes(4).toString('hex');

export interface TestDatabase {
  /** Connection URL of a database created for this test file only. */
  readonly url: string;
  drop(): Promise<void>;
}

/** A brand-new database on the test server; drop it in afterAll. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const adminUrl = inject('infra').pgUrl;
  if (!adminUrl) throw new MissingInfraError('PostgreSQL (TEST_PG_URL)');
  const name = `test_${uniqueSuffix()}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}

export interface TestRedis {
  readonly url: string;
  /** Prefix every key of this test file carries, so files never see each other's keys. */
  readonly prefix: string;
  /** A client with the prefix applied. */
  readonly client: Redis;
  cleanup(): Promise<void>;
}

export async function createTestRedis(): Promise<TestRedis> {
  const url = inject('infra').redisUrl;
  if (!url) throw new MissingInfraError('Redis (TEST_REDIS_URL)');
  const prefix = `test:${uniqueSuffix()}:`;
  const client = new Redis(url, { keyPrefix: prefix, lazyConnect: true, maxRetriesPerRequest: 2 });
  await client.connect();
  return {
    url,
    prefix,
    client,
    cleanup: async () => {
      try {
        await deleteRedisKeys(url, prefix);
      } finally {
        client.disconnect();
      }
    },
  };
}

export interface TestKafka {
  readonly brokers: string[];
  /** A topic name no other test uses: `test.<random>.<base>`. */
  topic(base: string): string;
  /** Creates topics (and waits until they have leaders). */
  createTopics(topics: { name: string; partitions?: number }[]): Promise<void>;
  cleanup(): Promise<void>;
}

export function kafkaBrokers(): string[] {
  const brokers = inject('infra').kafkaBrokers;
  if (!brokers) throw new MissingInfraError('Kafka (TEST_KAFKA_BROKERS)');
  return brokers.split(',');
}

export async function createTestKafka(): Promise<TestKafka> {
  const brokers = kafkaBrokers();
  const run = uniqueSuffix();
  const created: string[] = [];
  const kafka = new Kafka({ clientId: `test-admin-${run}`, brokers, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  return {
    brokers,
    topic: (base) => `test.${run}.${base}`,
    createTopics: async (topics) => {
      const names = topics.map((t) => t.name);
      // The services' own retry (a fresh topic may briefly have no leader); a repeat of
      // createTopics for a topic that exists by then is a no-op.
      await createTopicsUntilLed(
        admin,
        names,
        () =>
          admin.createTopics({
            waitForLeaders: true,
            topics: topics.map((t) => ({
              topic: t.name,
              numPartitions: t.partitions ?? 3,
              replicationFactor: 1,
            })),
          }),
        30_000,
      );
      created.push(...names);
    },
    cleanup: async () => {
      try {
        if (created.length)
          await admin.deleteTopics({ topics: created, timeout: 10_000 }).catch(() => undefined);
      } finally {
        await admin.disconnect();
      }
    },
  };
}

/** Polls `probe` until it returns a value other than undefined, or fails after timeoutMs. */
export async function eventually<T>(
  probe: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 15_000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${lastError instanceof Error ? `: ${lastError.message}` : ''}`,
      );
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}
