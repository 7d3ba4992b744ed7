import { createScriptRunner, type Redis } from '@mealpeak/redis';
import type { ClaimOutcome, IdempotencyRecord, IdempotencyStore, StoredResponse } from '../app/ports.ts';

const PREFIX = 'gateway:idem:';

// Compare-and-set on the pending record's token, so a request whose lock expired can never
// overwrite or delete the record of the request that claimed the key after it.
const COMPLETE_IF_OWNER = `
local current = redis.call('GET', KEYS[1])
if current and cjson.decode(current).token == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
  return 1
end
return 0`;

const RELEASE_IF_OWNER = `
local current = redis.call('GET', KEYS[1])
if current and cjson.decode(current).token == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0`;

function parse(raw: string | null): IdempotencyRecord | undefined {
  if (raw === null) return undefined;
  try {
    const value = JSON.parse(raw) as Partial<IdempotencyRecord> | null;
    if (value?.state === 'pending' || value?.state === 'done') return value as IdempotencyRecord;
  } catch {
    // Not ours or damaged: treated as absent, so the key is claimed again.
  }
  return undefined;
}

/** Idempotency records as JSON strings under `gateway:idem:<scope>`, expiring by themselves. */
export function createRedisIdempotencyStore(redis: Redis): IdempotencyStore {
  // EVALSHA: one script load per process instead of the script's text with every request.
  const completeIfOwner = createScriptRunner(redis, COMPLETE_IF_OWNER);
  const releaseIfOwner = createScriptRunner(redis, RELEASE_IF_OWNER);
  return {
    isAvailable: () => redis.status === 'ready',

    async claim(key, token, fingerprint, lockTtlMs): Promise<ClaimOutcome> {
      const pending: IdempotencyRecord = { state: 'pending', token, fingerprint };
      const set = await redis.set(PREFIX + key, JSON.stringify(pending), 'PX', lockTtlMs, 'NX');
      if (set === 'OK') return { claimed: true };
      return { claimed: false, existing: parse(await redis.get(PREFIX + key)) };
    },

    async read(key) {
      return parse(await redis.get(PREFIX + key));
    },

    async complete(key, token, fingerprint, response: StoredResponse, ttlMs) {
      const done: IdempotencyRecord = { state: 'done', fingerprint, ...response };
      await completeIfOwner.one({ keys: [PREFIX + key], args: [token, JSON.stringify(done), ttlMs] });
    },

    async release(key, token) {
      await releaseIfOwner.one({ keys: [PREFIX + key], args: [token] });
    },
  };
}
