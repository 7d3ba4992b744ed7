export { createRedis, type Redis, type RedisSettings } from './client.ts';
export { createScriptRunner, type ScriptCall } from './scripts.ts';
