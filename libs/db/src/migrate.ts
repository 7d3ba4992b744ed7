import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Pool, Queryable } from './pool.ts';
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

/**
 * Forward-only migrations for one service schema. Safe with many replicas starting at once: an
 * advisory lock serialises them, and each migration commits atomically with its bookkeeping row.
 * An applied migration whose file changed is an error: write a new migration instead.
 */
export async function migrate(pool: Pool, schema: string, dir: string): Promise<MigrationReport> {
  const migrations = await readMigrations(dir);
  const lockKey = createHash('sha256').update(`migrate:${schema}`).digest().readBigInt64BE(0).toString();
  const client = await pool.connect();
  try {
    // Replicas wait here for as long as another one migrates: not bounded by the pool's
    // statement timeout (reset before the connection goes back to the pool).
    await client.query('SET statement_timeout = 0');
    await client.query('SELECT pg_advisory_lock($1::bigint)', [lockKey]);
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
      await withTransaction(pool, async (tx) => {
        await tx.query(`SET LOCAL search_path TO "${schema}", public`);
        // An index built over a big table can take longer than the pool's statement timeout
        // (5 s): that would fail every start-up, a crash loop. Waiting for a lock stays bounded.
        await tx.query(`SET LOCAL statement_timeout = 0`);
        await tx.query(`SET LOCAL lock_timeout = '60s'`);
        await tx.query(migration.sql);
        await tx.query(
          `INSERT INTO "${schema}".schema_migrations (version, name, checksum) VALUES ($1, $2, $3)`,
          [migration.version, migration.name, migration.checksum],
        );
      });
      report.applied.push(fileName(migration));
    }
    return report;
  } finally {
    await client.query('SELECT pg_advisory_unlock($1::bigint)', [lockKey]).catch(() => undefined);
    await client.query('RESET statement_timeout').catch(() => undefined);
    client.release();
  }
}
