export { MemoryIdempotencyStore } from '../../src/adapters/memory-idempotency-store.ts';
