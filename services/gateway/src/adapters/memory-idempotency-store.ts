import type { IdempotencyRecord, IdempotencyStore } from '../app/ports.ts';

/**
 * The Redis store's semantics in a Map, with the same lock and record expiry: the stand-in of the
 * single-process local run (where no Redis is configured) and of tests that are not about Redis.
 */
export class MemoryIdempotencyStore implements IdempotencyStore {
  readonly records = new Map<string, IdempotencyRecord>();
  private readonly expiresAt = new Map<string, number>();
  /** Tests flip this to play a Redis outage. */
  available = true;
  private readonly now: () => number;

  constructor(now: () => number = Date.now) {
    this.now = now;
  }

  isAvailable(): boolean {
    return this.available;
  }

  private check(): void {
    if (!this.available) throw new Error('store down');
  }

  private live(key: string): IdempotencyRecord | undefined {
    const until = this.expiresAt.get(key);
    if (until !== undefined && until <= this.now()) {
      this.records.delete(key);
      this.expiresAt.delete(key);
    }
    return this.records.get(key);
  }

  private put(key: string, record: IdempotencyRecord, ttlMs: number): void {
    this.records.set(key, record);
    this.expiresAt.set(key, this.now() + ttlMs);
    // Keep the map bounded in a long local run: drop what has expired, a few at a time.
    let checked = 0;
    for (const k of this.expiresAt.keys()) {
      if (++checked > 10) break;
      this.live(k);
    }
  }

  async claim(key: string, token: string, fingerprint: string, lockTtlMs: number) {
    this.check();
    const existing = this.live(key);
    if (existing) return { claimed: false as const, existing };
    this.put(key, { state: 'pending', token, fingerprint }, lockTtlMs);
    return { claimed: true as const };
  }

  async read(key: string) {
    this.check();
    return this.live(key);
  }

  async complete(
    key: string,
    token: string,
    fingerprint: string,
    response: { status: number; headers: Record<string, string>; body: string },
    ttlMs: number,
  ) {
    this.check();
    const current = this.live(key);
    if (current?.state === 'pending' && current.token === token)
      this.put(key, { state: 'done', fingerprint, ...response }, ttlMs);
  }

  async release(key: string, token: string) {
    this.check();
    const current = this.live(key);
    if (current?.state === 'pending' && current.token === token) {
      this.records.delete(key);
      this.expiresAt.delete(key);
    }
  }
}
