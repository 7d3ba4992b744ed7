/**
 * Where integration tests get their servers. Decided once per run in the global setup:
 *   TEST_INFRA=containers  testcontainers (needs a container runtime)
 *   TEST_INFRA=env         servers named by TEST_PG_URL / TEST_REDIS_URL / TEST_KAFKA_BROKERS
 *   TEST_INFRA=auto        (default) containers when a runtime answers, otherwise env
 * With neither, every integration test fails with the message below: never a silent skip.
 */
export interface InfraEndpoints {
  source: 'containers' | 'env';
  pgUrl?: string;
  redisUrl?: string;
  kafkaBrokers?: string;
}

export const HOW_TO_START = [
  'No PostgreSQL/Redis/Kafka for integration tests.',
  'Either run everything with `pnpm test` (it installs and starts the servers), or start them yourself:',
  '  scripts/infra up && eval "$(scripts/infra env)" && pnpm test:int',
  'or run with a container runtime available (testcontainers is used automatically).',
].join('\n');

export class MissingInfraError extends Error {
  constructor(what: string) {
    super(`${what} is not configured.\n${HOW_TO_START}`);
    this.name = 'MissingInfraError';
  }
}
