import type { Result } from '@mealpeak/core';
import type { MerchantStore, Repo } from './ports.ts';

/** Carries an error value out of a transaction so the store rolls it back. */
class Rollback<E> extends Error {
  readonly result: Result<never, E>;
  constructor(result: Result<never, E>) {
    super('rolled back with an expected error');
    this.result = result;
  }
}

/**
 * One transaction that commits when `work` returns ok and rolls back when it returns an error:
 * a business rule failing half-way (the third line has no stock) must undo the first two.
 */
export async function transactResult<T, E>(
  store: MerchantStore,
  work: (tx: Repo) => Promise<Result<T, E>>,
): Promise<Result<T, E>> {
  try {
    return await store.transaction(async (tx) => {
      const result = await work(tx);
      if (!result.ok) throw new Rollback(result);
      return result;
    });
  } catch (error) {
    if (error instanceof Rollback) return (error as Rollback<E>).result;
    throw error;
  }
}
