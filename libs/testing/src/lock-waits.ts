import { eventually } from './fixtures.ts';

interface Queryable {
  query(sql: string, params?: unknown[]): Promise<{ rows: unknown[] }>;
}

/**
 * Waits until a statement of this database whose text starts like `statementLike` (a LIKE
 * pattern) is blocked on a lock: the point where a test holding that lock can go on, knowing the
 * other side has reached it.
 */
export function lockWaitOf(db: Queryable, statementLike: string, what: string, timeoutMs = 10_000) {
  return eventually(
    async () => {
      const { rows } = await db.query(
        `SELECT 1 FROM pg_stat_activity
          WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE $1`,
        [statementLike],
      );
      return rows.length > 0 ? true : undefined;
    },
    timeoutMs,
    what,
  );
}
