import type { Redis } from 'ioredis';

/**
 * Remembers which events a consumer group has processed so a redelivery (at-least-once) is
 * skipped. `markProcessed` runs after the handler succeeded; a crash in between means the event
 * is handled again, so handlers stay idempotent and this is an optimisation plus a metric.
 * Handlers that need exactly-once effects record the event id in their own transaction instead.
 */
export interface DedupeStore {
  isProcessed(group: string, eventId: string): Promise<boolean>;
  markProcessed(group: string, eventId: string): Promise<void>;
}

export function createRedisDedupe(redis: Redis, ttlSeconds = 7 * 24 * 3600, prefix = 'dedupe:'): DedupeStore {
  return {
    isProcessed: async (group, eventId) => (await redis.exists(`${prefix}${group}:${eventId}`)) === 1,
    markProcessed: async (group, eventId) => {
      await redis.set(`${prefix}${group}:${eventId}`, '1', 'EX', ttlSeconds);
    },
  };
}

/** In-process store: unit tests and the zero-setup local run only. */
export function createMemoryDedupe(): DedupeStore {
  const seen = new Set<string>();
  return {
    isProcessed: (group, eventId) => Promise.resolve(seen.has(`${group}:${eventId}`)),
    markProcessed: (group, eventId) => {
      seen.add(`${group}:${eventId}`);
      return Promise.resolve();
    },
  };
}
