import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cp, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { testPools } from './pools.ts';
import { createTestDatabase, type TestDatabase } from '@mealpeak/testing';
import { migrate, withTransaction, type Pool } from '../src/index.ts';

const migrationsDir = fileURLToPath(new URL('./migrations-ok', import.meta.url));

describe('db lib against the real PostgreSQL', () => {
  let db: TestDatabase;
  let pool: Pool;
  const { poolFor, closeAll } = testPools(() => db.url);

  beforeAll(async () => {
    db = await createTestDatabase();
    pool = poolFor('widgets_svc');
  });
  afterAll(async () => {
    await closeAll();
    await db?.drop();
  });

  it('applies migrations into the service schema, then queries through the search_path', async () => {
    const report = await migrate(pool, 'widgets_svc', migrationsDir);
    expect(report).toEqual({ applied: ['0001_create_widgets', '0002_add_widget_color'], alreadyApplied: 0 });
    await pool.query(`INSERT INTO widgets (name) VALUES ('bolt')`);
    const { rows } = await pool.query<{ name: string; color: string }>('SELECT name, color FROM widgets');
    expect(rows).toEqual([{ name: 'bolt', color: 'grey' }]);
    const { rows: where } = await pool.query<{ s: string }>(
      `SELECT table_schema AS s FROM information_schema.tables WHERE table_name = 'widgets'`,
    );
    expect(where).toEqual([{ s: 'widgets_svc' }]);
  });

  it('is idempotent, and replicas migrating at once apply each migration exactly once', async () => {
    const others = [poolFor('race'), poolFor('race'), poolFor('race')];
    const reports = await Promise.all(others.map((p) => migrate(p, 'race', migrationsDir)));
    expect(reports.flatMap((r) => r.applied).sort()).toEqual([
      '0001_create_widgets',
      '0002_add_widget_color',
    ]);
    expect(await migrate(pool, 'widgets_svc', migrationsDir)).toEqual({ applied: [], alreadyApplied: 2 });
  });

  it('refuses to run when an applied migration was edited (forward-only)', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'mig-'));
    await cp(migrationsDir, dir, { recursive: true });
    await writeFile(
      path.join(dir, '0002_add_widget_color.sql'),
      `ALTER TABLE widgets ADD COLUMN color text;`,
    );
    await expect(migrate(pool, 'widgets_svc', dir)).rejects.toThrow(/changed after it was applied/);
  });

  it('lets a migration run longer than the pool statement timeout (a big index build)', async () => {
    const slow = poolFor('slow_svc'); // statement timeout 2 s
    const dir = await mkdtemp(path.join(tmpdir(), 'mig-'));
    await writeFile(path.join(dir, '0001_slow.sql'), `SELECT pg_sleep(2.5); CREATE TABLE done (id int);`);
    expect((await migrate(slow, 'slow_svc', dir)).applied).toEqual(['0001_slow']);
    // The pool's own statements keep their timeout.
    await expect(slow.query('SELECT pg_sleep(2.5)')).rejects.toThrow(/statement timeout/);
  });

  it('commits a transaction, and rolls back everything when the callback throws', async () => {
    await withTransaction(pool, async (tx) => {
      await tx.query(`INSERT INTO widgets (name) VALUES ('nut')`);
      await tx.query(`INSERT INTO widgets (name) VALUES ('washer')`);
    });
    await expect(
      withTransaction(pool, async (tx) => {
        await tx.query(`INSERT INTO widgets (name) VALUES ('gear')`);
        await tx.query(`INSERT INTO widgets (name) VALUES ('nut')`); // unique violation
      }),
    ).rejects.toMatchObject({ code: '23505' });
    const { rows } = await pool.query<{ name: string }>('SELECT name FROM widgets ORDER BY name');
    expect(rows.map((r) => r.name)).toEqual(['bolt', 'nut', 'washer']);
  });

  it('survives its connection being killed mid-transaction: the transaction fails, the process lives', async () => {
    const pidInTransaction = withTransaction(pool, async (client) => {
      const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      await pool.query('SELECT pg_terminate_backend($1)', [rows[0]!.pid]);
      // Idle inside the transaction while the server closes the connection: the 'error' arrives
      // on a checked-out client (an unhandled one would fail this test run).
      await new Promise((resolve) => setTimeout(resolve, 500));
      await client.query('SELECT 1');
    });
    await expect(pidInTransaction).rejects.toThrow(/terminat|Connection|closed/i);
    // The pool still works with a fresh connection.
    expect((await pool.query<{ one: number }>('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
  });

  it('runs a read-only transaction at the isolation asked for, refusing writes', async () => {
    const seen = await withTransaction(
      pool,
      async (tx) => {
        const { rows } = await tx.query<{ ro: string; iso: string }>(
          `SELECT current_setting('transaction_read_only') AS ro,
                  current_setting('transaction_isolation') AS iso`,
        );
        return rows[0];
      },
      { isolation: 'repeatable read', readOnly: true },
    );
    expect(seen).toEqual({ ro: 'on', iso: 'repeatable read' });
    await expect(
      withTransaction(pool, (tx) => tx.query(`INSERT INTO widgets (name) VALUES ('spring')`), {
        readOnly: true,
      }),
    ).rejects.toMatchObject({ code: '25006' });
  });

  it('retries a serialization failure when asked to', async () => {
    let attempts = 0;
    const result = await withTransaction(
      pool,
      async (tx) => {
        attempts++;
        await tx.query('SELECT 1');
        if (attempts === 1) throw Object.assign(new Error('could not serialize access'), { code: '40001' });
        return 'done';
      },
      { isolation: 'serializable', retries: 2 },
    );
    expect({ result, attempts }).toEqual({ result: 'done', attempts: 2 });
  });
});
