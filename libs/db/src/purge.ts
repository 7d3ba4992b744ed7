/** What purgeRows needs of a pool, a client or a service's own narrower SQL port. */
export interface NamedStatementRunner {
  query(config: { name: string; text: string; values: unknown[] }): Promise<{ rowCount: number | null }>;
}

/** One kind of row a retention purge deletes. */
export interface PurgeStep {
  /** Statement name: prepared once per connection. */
  readonly name: string;
  readonly table: string;
  /** The columns that identify a row, e.g. ['order_id'] or ['consumer', 'event_id']. */
  readonly key: readonly string[];
  /** Which rows may go; the table is aliased `x`, `$1` is the cut-off time. */
  readonly where: string;
}

/**
 * Deletes up to `limit` rows older than `before`, step after step until the limit is used, and
 * says how many went. Each statement locks its rows FOR UPDATE SKIP LOCKED, so replicas purging at
 * once share the work instead of waiting on each other or on a row in use. Names and conditions
 * come from code, never from input.
 */
export async function purgeRows(
  db: NamedStatementRunner,
  steps: readonly PurgeStep[],
  before: Date,
  limit: number,
): Promise<number> {
  let purged = 0;
  for (const step of steps) {
    if (purged >= limit) break;
    const key = step.key.join(', ');
    const { rowCount } = await db.query({
      name: step.name,
      text: `DELETE FROM ${step.table} t
              USING (SELECT ${key} FROM ${step.table} x WHERE ${step.where}
                      LIMIT $2 FOR UPDATE SKIP LOCKED) old
              WHERE ${step.key.map((k) => `t.${k} = old.${k}`).join(' AND ')}`,
      values: [before, limit - purged],
    });
    purged += rowCount ?? 0;
  }
  return purged;
}
