import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cp, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { testPools } from './pools.ts';
import { createTestDatabase, lockWaitOf, type TestDatabase } from '@mealpeak/testing';
import { migrate, type Pool } from '../src/index.ts';

const migrationsOk = fileURLToPath(new URL('./migrations-ok', import.meta.url));

/** migrations-ok (the widgets table) plus `extra` files, in a fresh folder. */
async function dirWith(extra: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'mig-'));
  await cp(migrationsOk, dir, { recursive: true });
  for (const [file, sql] of Object.entries(extra)) await writeFile(path.join(dir, file), sql);
  return dir;
}

const concurrentIndex = `-- migrate: no-transaction
-- Re-runnable: IF NOT EXISTS keeps a valid index; an INVALID one is dropped by the runner first.
CREATE INDEX CONCURRENTLY IF NOT EXISTS widgets_color ON widgets (color, id);
`;

describe('migrations against the real PostgreSQL: no-transaction migrations and lock waits', () => {
  let db: TestDatabase;
  const { poolFor, closeAll } = testPools(() => db.url);
  const indexValid = async (pool: Pool, schema: string, name: string) => {
    const { rows } = await pool.query<{ valid: boolean }>(
      `SELECT i.indisvalid AS valid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relname = $2`,
      [schema, name],
    );
    return rows[0]?.valid;
  };
  const recorded = async (pool: Pool, schema: string) =>
    (
      await pool.query<{ name: string }>(`SELECT name FROM "${schema}".schema_migrations ORDER BY version`)
    ).rows.map((r) => r.name);

  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await closeAll();
    await db?.drop();
  });

  it('builds an index concurrently, one statement at a time outside a transaction, then records it', async () => {
    const pool = poolFor('concurrent_svc');
    const dir = await dirWith({ '0003_widgets_color.sql': concurrentIndex });
    expect((await migrate(pool, 'concurrent_svc', dir)).applied).toEqual([
      '0001_create_widgets',
      '0002_add_widget_color',
      '0003_widgets_color',
    ]);
    expect(await indexValid(pool, 'concurrent_svc', 'widgets_color')).toBe(true);
    expect(await recorded(pool, 'concurrent_svc')).toContain('widgets_color');
    // The connection went back to the pool with its own settings.
    const { rows } = await pool.query<{ path: string; lock: string }>(
      `SELECT current_setting('search_path') AS path, current_setting('lock_timeout') AS lock`,
    );
    expect(rows[0]).toEqual({ path: 'concurrent_svc,public', lock: '0' });
  });

  it('runs a no-transaction migration interrupted half-way again whole, leaving a valid index', async () => {
    const pool = poolFor('rerun_svc');
    // A unique build over duplicates fails after creating the index: INVALID, as after a crash.
    const dir = await dirWith({
      '0003_unique_color.sql': `-- migrate: no-transaction
CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS widgets_one_per_color ON widgets (color);
`,
    });
    await migrate(pool, 'rerun_svc', migrationsOk);
    await pool.query(`INSERT INTO widgets (name) VALUES ('a'), ('b')`); // both 'grey'
    await expect(migrate(pool, 'rerun_svc', dir)).rejects.toMatchObject({ code: '23505' });
    expect(await indexValid(pool, 'rerun_svc', 'widgets_one_per_color')).toBe(false);
    expect(await recorded(pool, 'rerun_svc')).not.toContain('unique_color');

    await pool.query(`UPDATE widgets SET color = 'blue' WHERE name = 'b'`);
    expect((await migrate(pool, 'rerun_svc', dir)).applied).toEqual(['0003_unique_color']);
    expect(await indexValid(pool, 'rerun_svc', 'widgets_one_per_color')).toBe(true);
  });

  it('keeps an index whose build finished after its migration was cut off, and records it', async () => {
    const pool = poolFor('kept_svc');
    await migrate(pool, 'kept_svc', migrationsOk);
    // The pod was killed during the build; its backend finished it, the migration went unrecorded.
    await pool.query('CREATE INDEX widgets_color ON widgets (color, id)');
    const { rows: before } = await pool.query<{ oid: number }>(
      `SELECT 'kept_svc.widgets_color'::regclass::oid AS oid`,
    );
    const dir = await dirWith({ '0003_widgets_color.sql': concurrentIndex });
    expect((await migrate(pool, 'kept_svc', dir)).applied).toEqual(['0003_widgets_color']);
    const { rows: after } = await pool.query<{ oid: number }>(
      `SELECT 'kept_svc.widgets_color'::regclass::oid AS oid`,
    );
    expect(after[0]!.oid).toBe(before[0]!.oid); // the same index, not rebuilt
  });

  it('lets replicas start together while one builds an index concurrently: no deadlock, applied once', async () => {
    // The build waits for every transaction older than it; a replica blocked on the migration
    // lock inside a statement would be one, waiting in turn for the builder: a deadlock.
    const dir = await dirWith({
      '0003_widgets_color.sql': concurrentIndex.replace('CREATE', 'SELECT pg_sleep(1.5);\nCREATE'),
    });
    const replicas = [poolFor('race_svc'), poolFor('race_svc'), poolFor('race_svc')];
    const reports = await Promise.all(replicas.map((p) => migrate(p, 'race_svc', dir)));
    expect(reports.flatMap((r) => r.applied).sort()).toEqual([
      '0001_create_widgets',
      '0002_add_widget_color',
      '0003_widgets_color',
    ]);
    expect(await indexValid(replicas[0]!, 'race_svc', 'widgets_color')).toBe(true);
  });

  /** A long query's transaction holding a lock on widgets until `release()`. */
  async function longQuery(pool: Pool) {
    const client = await pool.connect();
    await client.query('BEGIN');
    await client.query('SELECT count(*) FROM widgets');
    return {
      release: async () => {
        await client.query('COMMIT');
        client.release();
      },
    };
  }
  const alterWaiting = (pool: Pool) =>
    lockWaitOf(pool, 'ALTER TABLE widgets%', 'the migration waiting for its lock');

  it('gives up on a lock after the lock timeout, so queries queued behind it go on', async () => {
    const pool = poolFor('busy_svc');
    await migrate(pool, 'busy_svc', migrationsOk);
    const dir = await dirWith({ '0003_widget_size.sql': 'ALTER TABLE widgets ADD COLUMN size integer;' });
    const long = await longQuery(pool);
    try {
      const migrating = migrate(pool, 'busy_svc', dir, { lockTimeoutMs: 1_000, lockRetries: 0 });
      const outcome = migrating.then(
        () => 'applied',
        (e: { code?: string }) => e.code,
      );
      await alterWaiting(pool);
      // Queued behind the ALTER's lock request; served once the migration gives up, while the
      // long query still runs (under the pool's 2 s statement timeout).
      const { rows } = await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM widgets');
      expect(rows).toEqual([{ n: 0 }]);
      expect(await outcome).toBe('55P03');
    } finally {
      await long.release();
    }
    expect(await recorded(pool, 'busy_svc')).not.toContain('widget_size');
  });

  it('tries a migration again after a lock timeout, and applies it once the table is free', async () => {
    const pool = poolFor('retry_svc');
    await migrate(pool, 'retry_svc', migrationsOk);
    const dir = await dirWith({ '0003_widget_size.sql': 'ALTER TABLE widgets ADD COLUMN size integer;' });
    const long = await longQuery(pool);
    const timeouts: string[] = [];
    const report = await migrate(pool, 'retry_svc', dir, {
      lockTimeoutMs: 200,
      lockRetries: 3,
      retryDelayMs: 200,
      onLockTimeout: ({ migration, attempt }) => {
        timeouts.push(`${migration} #${attempt}`);
        if (attempt === 1) void long.release(); // the long query ends during the pause
      },
    });
    expect(report.applied).toEqual(['0003_widget_size']);
    expect(timeouts).toEqual(['0003_widget_size #1']);
  });
});
