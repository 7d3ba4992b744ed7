import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Pool, PoolClient, Queryable } from './pool.ts';
import { splitStatements } from './sql-statements.ts';
import { withTransaction } from './transaction.ts';

export interface Migration {
  version: number;
  name: string;
  sql: string;
  checksum: string;
}

export interface MigrationReport {
  applied: string[];
  alreadyApplied: number;
}

const FILE = /^(\d{4})_([a-z0-9_]+)\.sql$/;

/** Reads `NNNN_name.sql` files in version order; gaps and duplicates are errors. */
export async function readMigrations(dir: string): Promise<Migration[]> {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.sql')).sort();
  const migrations: Migration[] = [];
  for (const file of files) {
    const m = FILE.exec(file);
    if (!m) throw new Error(`migration file ${file} does not match NNNN_name.sql`);
    const sql = await readFile(path.join(dir, file), 'utf8');
    const version = Number(m[1]);
    if (version !== migrations.length + 1)
      throw new Error(`migration ${file}: expected version ${migrations.length + 1}`);
    migrations.push({ version, name: m[2]!, sql, checksum: createHash('sha256').update(sql).digest('hex') });
  }
  return migrations;
}

const fileName = (m: Migration) => `${String(m.version).padStart(4, '0')}_${m.name}`;

/** The schema's applied migrations, checked against the files: none unknown, none edited. */
async function appliedMigrations(
  db: Queryable,
  schema: string,
  migrations: readonly Migration[],
  dir: string,
): Promise<Map<number, { version: number; checksum: string; name: string }>> {
  const { rows } = await db.query<{ version: number; checksum: string; name: string }>(
    `SELECT version, checksum, name FROM "${schema}".schema_migrations ORDER BY version`,
  );
  const applied = new Map(rows.map((r) => [r.version, r]));
  for (const [version, row] of applied) {
    const file = migrations[version - 1];
    if (!file)
      throw new Error(`schema ${schema} has migration ${version} (${row.name}) that is not in ${dir}`);
    if (file.checksum !== row.checksum)
      throw new Error(
        `migration ${fileName(file)} changed after it was applied; add a new migration instead`,
      );
  }
  return applied;
}

/**
 * The migrations of `dir` not applied to `schema` yet (all of them when it was never migrated),
 * without changing anything: what a service started with migrations off checks before serving.
 */
export async function pendingMigrations(pool: Pool, schema: string, dir: string): Promise<string[]> {
  const migrations = await readMigrations(dir);
  const { rows } = await pool.query<{ present: boolean }>('SELECT to_regclass($1) IS NOT NULL AS present', [
    `"${schema}".schema_migrations`,
  ]);
  if (!rows[0]?.present) return migrations.map(fileName);
  const applied = await appliedMigrations(pool, schema, migrations, dir);
  return migrations.filter((m) => !applied.has(m.version)).map(fileName);
}

export interface MigrateOptions {
  /**
   * How long a transactional migration waits for each table lock. Short on purpose: an ALTER
   * TABLE queued behind a long query makes every later query on that table queue behind it.
   */
  lockTimeoutMs?: number;
  /** Attempts after the first when a migration gives up on a lock (lock_not_available). */
  lockRetries?: number;
  /** Pause before the first retry; doubled each time, with jitter, at most 10 s. */
  retryDelayMs?: number;
  /** Told of each lock timeout before the pause (the service logs it). */
  onLockTimeout?: (info: { migration: string; attempt: number; delayMs: number }) => void;
}

const LOCK_NOT_AVAILABLE = '55P03';
/** First line of a migration that runs statement by statement outside a transaction. */
const NO_TRANSACTION = /^--\s*migrate:\s*no-transaction\s*$/;

const isNoTransaction = (m: Migration) => NO_TRANSACTION.test(m.sql.split('\n', 1)[0]!.trim());

/**
 * A `-- migrate: no-transaction` migration: each statement on its own, on the session that holds
 * the migration lock, then its bookkeeping row. For CREATE/DROP INDEX CONCURRENTLY, which build
 * without blocking writes but cannot run in a transaction (nor in a multi-statement query).
 *
 * A crash half-way leaves the statements before it applied and the migration unrecorded, so the
 * next start runs the whole file again: every statement must be safe to repeat
 * (`CREATE INDEX CONCURRENTLY IF NOT EXISTS`). An interrupted concurrent build leaves an INVALID
 * index behind, which IF NOT EXISTS would keep: the schema's invalid indexes are dropped first,
 * while a valid one (a build that finished after its pod was killed) is kept, not rebuilt. No lock timeout here: a concurrent build waits for the
 * transactions already running (a long report, a slow consumer) without holding up anyone else's
 * reads or writes, and giving up would throw the build away (docs/development.md#migrations).
 */
async function runWithoutTransaction(client: PoolClient, schema: string, migration: Migration) {
  // Session settings: migrate() resets them before the connection goes back to the pool.
  await client.query(`SET search_path TO "${schema}", public`);
  await client.query('SET lock_timeout = 0');
  const { rows: invalid } = await client.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_index i
       JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = $1 AND NOT i.indisvalid`,
    [schema],
  );
  for (const { name } of invalid)
    await client.query(`DROP INDEX CONCURRENTLY IF EXISTS "${schema}"."${name}"`);
  for (const statement of splitStatements(migration.sql)) await client.query(statement);
  await recordMigration(client, schema, migration);
}

/** The bookkeeping row that says `migration` is applied. */
async function recordMigration(db: Queryable, schema: string, migration: Migration): Promise<void> {
  await db.query(`INSERT INTO "${schema}".schema_migrations (version, name, checksum) VALUES ($1, $2, $3)`, [
    migration.version,
    migration.name,
    migration.checksum,
  ]);
}

/**
 * Takes the schema's migration lock, polling. Not pg_advisory_lock: a replica blocked in that
 * statement holds a snapshot the whole time, which a concurrent index build in the lock holder
 * waits for, while the replica waits for the holder's lock: a deadlock, which PostgreSQL breaks
 * by failing one side (a crashed start-up, or a build thrown away). Between two tries a replica
 * holds no snapshot. Waits for as long as another replica migrates.
 */
async function takeMigrationLock(client: PoolClient, lockKey: string): Promise<void> {
  for (;;) {
    const { rows } = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1::bigint) AS ok', [
      lockKey,
    ]);
    if (rows[0]?.ok) return;
    await sleep(200 + Math.random() * 300);
  }
}

/** A migration in one transaction with its bookkeeping row: all of it or none. */
async function runInTransaction(pool: Pool, schema: string, migration: Migration, lockTimeoutMs: number) {
  await withTransaction(pool, async (tx) => {
    await tx.query(`SET LOCAL search_path TO "${schema}", public`);
    // An index built over a big table can take longer than the pool's statement timeout
    // (5 s): that would fail every start-up, a crash loop. Waiting for a lock stays short.
    await tx.query('SET LOCAL statement_timeout = 0');
    await tx.query(`SET LOCAL lock_timeout = ${Math.max(1, Math.round(lockTimeoutMs))}`);
    await tx.query(migration.sql);
    await recordMigration(tx, schema, migration);
  });
}

/**
 * Forward-only migrations for one service schema. Safe with many replicas starting at once: an
 * advisory lock serialises them, and each migration commits atomically with its bookkeeping row
 * (or, marked `-- migrate: no-transaction`, runs statement by statement and is recorded once all
 * succeeded). An applied migration whose file changed is an error: write a new migration instead.
 *
 * A migration that cannot get a table lock within `lockTimeoutMs` (4 s) rolls back and is tried
 * again after a pause, `lockRetries` (4) times: a busy table delays the start-up by seconds instead
 * of freezing that table's traffic behind the queued ALTER for as long as the long query runs.
 */
/** runInTransaction, tried again after a pause while it gives up on a table lock (lock_not_available). */
async function runWithLockRetries(pool: Pool, schema: string, migration: Migration, options: MigrateOptions) {
  const lockTimeoutMs = options.lockTimeoutMs ?? 4_000;
  const lockRetries = options.lockRetries ?? 4;
  const retryDelayMs = options.retryDelayMs ?? 1_000;
  for (let attempt = 1; ; attempt++) {
    try {
      return await runInTransaction(pool, schema, migration, lockTimeoutMs);
    } catch (error) {
      if ((error as { code?: string }).code !== LOCK_NOT_AVAILABLE || attempt > lockRetries) throw error;
      const base = Math.min(retryDelayMs * 2 ** (attempt - 1), 10_000);
      const delayMs = Math.round(base / 2 + (Math.random() * base) / 2);
      options.onLockTimeout?.({ migration: fileName(migration), attempt, delayMs });
      await sleep(delayMs);
    }
  }
}

export async function migrate(
  pool: Pool,
  schema: string,
  dir: string,
  options: MigrateOptions = {},
): Promise<MigrationReport> {
  const migrations = await readMigrations(dir);
  const lockKey = createHash('sha256').update(`migrate:${schema}`).digest().readBigInt64BE(0).toString();
  const client = await pool.connect();
  try {
    // An index build may run longer than the pool's statement timeout (reset before the
    // connection goes back to the pool).
    await client.query('SET statement_timeout = 0');
    await takeMigrationLock(client, lockKey);
    await client.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
    await client.query(
      `CREATE TABLE IF NOT EXISTS "${schema}".schema_migrations (
         version integer PRIMARY KEY, name text NOT NULL, checksum text NOT NULL,
         applied_at timestamptz NOT NULL DEFAULT now())`,
    );
    const applied = await appliedMigrations(client, schema, migrations, dir);
    const report: MigrationReport = { applied: [], alreadyApplied: applied.size };
    for (const migration of migrations) {
      if (applied.has(migration.version)) continue;
      if (isNoTransaction(migration)) await runWithoutTransaction(client, schema, migration);
      else await runWithLockRetries(pool, schema, migration, options);
      report.applied.push(fileName(migration));
    }
    return report;
  } finally {
    // A connection that cannot be reset (broken, or left with our settings) is not reused.
    const reset = async () => {
      await client.query('SELECT pg_advisory_unlock($1::bigint)', [lockKey]);
      await client.query('RESET statement_timeout; RESET lock_timeout; RESET search_path');
    };
    client.release(
      await reset().then(
        () => undefined,
        () => true,
      ),
    );
  }
}
