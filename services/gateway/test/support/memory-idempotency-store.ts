import type { IdempotencyRecord, IdempotencyStore } from '../../src/app/ports.ts';

/** The Redis store's semantics in a Map (expiry aside): for tests that are not about Redis. */
export class MemoryIdempotencyStore implements IdempotencyStore {
  readonly records = new Map<string, IdempotencyRecord>();
  available = true;

  isAvailable(): boolean {
    return this.available;
  }
  private check(): void {
    if (!this.available) throw new Error('store down');
  }
  async claim(key: string, token: string, fingerprint: string) {
    this.check();
    const existing = this.records.get(key);
    if (existing) return { claimed: false as const, existing };
    this.records.set(key, { state: 'pending', token, fingerprint });
    return { claimed: true as const };
  }
  async read(key: string) {
    this.check();
    return this.records.get(key);
  }
  async complete(
    key: string,
    token: string,
    fingerprint: string,
    response: { status: number; headers: Record<string, string>; body: string },
  ) {
    this.check();
    const current = this.records.get(key);
    if (current?.state === 'pending' && current.token === token)
      this.records.set(key, { state: 'done', fingerprint, ...response });
  }
  async release(key: string, token: string) {
    this.check();
    const current = this.records.get(key);
    if (current?.state === 'pending' && current.token === token) this.records.delete(key);
  }
}
