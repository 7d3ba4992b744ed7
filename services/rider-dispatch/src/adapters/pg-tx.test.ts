import { describe, expect, it } from 'vitest';
import { isTransientFailure } from '@mealpeak/core';
import type { Pool } from '@mealpeak/db';
import { classifyThrown, GrpcStatus, statusOfKind } from '@mealpeak/grpc';
import { inLockOrder, LOCK_RACE_ATTEMPTS, LockRace } from './pg-tx.ts';

/** A pool whose transactions do nothing: inLockOrder's retries are all there is to see. */
const pool = {
  connect: () => Promise.resolve({ query: () => Promise.resolve({ rows: [] }), release: () => undefined }),
} as unknown as Pool;

describe('inLockOrder', () => {
  it('runs the work again after a LockRace', async () => {
    let attempts = 0;
    const result = await inLockOrder(pool, () => {
      attempts += 1;
      if (attempts < 3) throw new LockRace('the offer of a rider');
      return Promise.resolve('done');
    });
    expect(result).toBe('done');
    expect(attempts).toBe(3);
  });

  it('gives up after a few LockRaces with a failure worth retrying later, not a bug', async () => {
    let attempts = 0;
    const failure = await inLockOrder(pool, () => {
      attempts += 1;
      throw new LockRace('the offer of an order');
    }).catch((error: unknown) => error);

    expect(attempts).toBe(LOCK_RACE_ATTEMPTS);
    expect(failure).toBeInstanceOf(LockRace);
    // The Kafka consumer retries the event without counting it towards the dead letters...
    expect(isTransientFailure(failure)).toBe(true);
    // ...and the gRPC server answers UNAVAILABLE, which the gateway sends as 503 with Retry-After.
    expect(statusOfKind(classifyThrown(failure))).toBe(GrpcStatus.UNAVAILABLE);
  });

  it('does not run the work again after any other failure', async () => {
    let attempts = 0;
    const failure = await inLockOrder(pool, () => {
      attempts += 1;
      throw new Error('a bug');
    }).catch((error: unknown) => error);

    expect(attempts).toBe(1);
    expect(statusOfKind(classifyThrown(failure))).toBe(GrpcStatus.INTERNAL);
  });
});
