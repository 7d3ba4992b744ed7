import type { Pool, PoolClient } from './pool.ts';

export type IsolationLevel = 'read committed' | 'repeatable read' | 'serializable';

export interface TransactionOptions {
  isolation?: IsolationLevel;
  /** READ ONLY: a write in it fails (25006); for reads that must never change anything. */
  readOnly?: boolean;
  /** Retries on serialization failures and deadlocks (the whole callback runs again). */
  retries?: number;
}

const RETRYABLE = new Set(['40001', '40P01']);

/**
 * Runs `work` in one transaction on one connection: COMMIT when it returns, ROLLBACK when it
 * throws. The callback must be safe to run again when `retries` is set.
 */
export async function withTransaction<T>(
  pool: Pool,
  work: (client: PoolClient) => Promise<T>,
  options: TransactionOptions = {},
): Promise<T> {
  const retries = options.retries ?? 0;
  for (let attempt = 0; ; attempt++) {
    const client = await pool.connect();
    let broken = false;
    try {
      await client.query(
        [
          'BEGIN',
          options.isolation && `ISOLATION LEVEL ${options.isolation.toUpperCase()}`,
          options.readOnly && 'READ ONLY',
        ]
          .filter(Boolean)
          .join(' '),
      );
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      try {
        await client.query('ROLLBACK');
      } catch {
        broken = true; // connection is unusable: destroy it instead of returning it to the pool
      }
      const code = (error as { code?: string }).code;
      if (attempt < retries && code && RETRYABLE.has(code)) continue;
      throw error;
    } finally {
      client.release(broken);
    }
  }
}
