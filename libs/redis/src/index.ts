export { createRedis, type Redis, type RedisSettings } from './client.ts';
