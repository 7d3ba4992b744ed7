/**
 * Clients this replica has seen refused by the shared rate limit, until their window ends. The
 * limit's counter in Redis keeps rising within its window, so a key refused once is refused until
 * the window resets: this answers those 429s from memory, without a Redis round trip each (an
 * abuser over budget costs the gateway a map lookup, and Redis nothing). Other replicas learn it
 * from their own first refusal. Bounded: past `maxEntries` the oldest entry is dropped, which only
 * sends that client back to Redis.
 */
export interface OverBudget {
  /** Milliseconds left of the client's refused window, or undefined when not known refused. */
  refusedFor(key: string): number | undefined;
  /** The rate limit refused this client for `ttlMs` more milliseconds. */
  remember(key: string, ttlMs: number): void;
  size(): number;
}

export function overBudgetCache(maxEntries: number, now: () => number = Date.now): OverBudget {
  const until = new Map<string, number>();
  return {
    refusedFor(key) {
      const end = until.get(key);
      if (end === undefined) return undefined;
      const left = end - now();
      if (left > 0) return left;
      until.delete(key);
      return undefined;
    },
    remember(key, ttlMs) {
      if (ttlMs <= 0) return;
      // Re-inserted at the end: the Map's order is then the order of last refusal.
      until.delete(key);
      if (until.size >= maxEntries) {
        const oldest = until.keys().next();
        if (!oldest.done) until.delete(oldest.value);
      }
      until.set(key, now() + ttlMs);
    },
    size: () => until.size,
  };
}
