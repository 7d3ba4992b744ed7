/**
 * A figure behind observable gauges that costs a database read: read on the exporter's scrape at
 * most every `minIntervalMs` (all scrapes of one process share one read). A failed read keeps the last
 * value, and `staleSeconds` grows from the last good read, so a gauge of "the oldest one's age"
 * keeps ageing while reads fail: frozen values would keep its alert quiet for as long as the
 * database is slow or away.
 */
export function sampled<T>(
  read: () => Promise<T>,
  initial: T,
  minIntervalMs: number,
  now: () => number = Date.now,
): () => Promise<{ value: T; staleSeconds: number }> {
  let value = initial;
  let triedAt = Number.NEGATIVE_INFINITY;
  let readAt = now();
  return async () => {
    if (now() - triedAt >= minIntervalMs) {
      triedAt = now();
      const fresh = await read().then(
        (v) => ({ v }),
        () => undefined,
      );
      if (fresh) [value, readAt] = [fresh.v, triedAt];
    }
    return { value, staleSeconds: (now() - readAt) / 1000 };
  };
}
