export { spawnTs, type SpawnedProcess } from './process.ts';
export { deleteRedisKeys } from './redis-keys.ts';
export {
  createTestDatabase,
  createTestRedis,
  createTestKafka,
  kafkaBrokers,
  eventually,
  type TestDatabase,
  type TestRedis,
  type TestKafka,
} from './fixtures.ts';
export { MissingInfraError, HOW_TO_START, type InfraEndpoints } from './infra-source.ts';
export { externalIPv4, reachable } from './network.ts';
export { lockWaitOf } from './lock-waits.ts';
