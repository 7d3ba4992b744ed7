import type { TestProject } from 'vitest/node';
import type { InfraEndpoints } from './infra-source.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    infra: InfraEndpoints;
  }
}

async function containerRuntimeAvailable(): Promise<boolean> {
  try {
    const { getContainerRuntimeClient } = await import('testcontainers');
    await Promise.race([
      getContainerRuntimeClient(),
      new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), 5_000)),
    ]);
    return true;
  } catch {
    return false;
  }
}

/** Starts (or locates) the servers once for the whole integration run. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const mode = process.env['TEST_INFRA'] ?? 'auto';
  const useContainers = mode === 'containers' || (mode === 'auto' && (await containerRuntimeAvailable()));
  if (!useContainers) {
    project.provide('infra', {
      source: 'env',
      ...(process.env['TEST_PG_URL'] ? { pgUrl: process.env['TEST_PG_URL'] } : {}),
      ...(process.env['TEST_REDIS_URL'] ? { redisUrl: process.env['TEST_REDIS_URL'] } : {}),
      ...(process.env['TEST_KAFKA_BROKERS'] ? { kafkaBrokers: process.env['TEST_KAFKA_BROKERS'] } : {}),
    });
    return async () => undefined;
  }
  const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
  const { RedisContainer } = await import('@testcontainers/redis');
  const { KafkaContainer } = await import('@testcontainers/kafka');
  const [pg, redis, kafka] = await Promise.all([
    new PostgreSqlContainer('postgres:15-alpine')
      .withCommand(['postgres', '-c', 'max_connections=300'])
      .start(),
    new RedisContainer('redis:7-alpine').start(),
    new KafkaContainer('confluentinc/cp-kafka:7.9.0').withKraft().start(),
  ]);
  project.provide('infra', {
    source: 'containers',
    pgUrl: pg.getConnectionUri(),
    redisUrl: redis.getConnectionUrl(),
    kafkaBrokers: `${kafka.getHost()}:${kafka.getMappedPort(9093)}`,
  });
  return async () => {
    await Promise.all([pg.stop(), redis.stop(), kafka.stop()]);
  };
}
