import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createLifecycle } from '@mealpeak/runtime';
import { openDatabase } from '@mealpeak/service-kit';
import { createLogger } from '@mealpeak/telemetry';
import { createTestDatabase, spawnTs, type TestDatabase } from '@mealpeak/testing';

const logger = createLogger({ service: 'order-test', level: 'silent' });
const migrationsDir = fileURLToPath(new URL('../migrations', import.meta.url));
const migrateCommand = fileURLToPath(new URL('../../../scripts/migrate.ts', import.meta.url));
/** Every migration the service ships, in order (the runner applies *.sql by name). */
const shipped = readdirSync(migrationsDir)
  .filter((f) => f.endsWith('.sql'))
  .sort()
  .map((f) => f.replace(/\.sql$/, ''));

describe('migrations by command, with MIGRATE_ON_START=false', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => db?.drop());

  it('refuses to serve on an unmigrated schema, and `pnpm migrate order` brings it up to date', async () => {
    const config = {
      PG_URL: db.url,
      PG_POOL_MAX: 2,
      PG_SCHEMA: 'orders_by_command',
      PG_STATEMENT_TIMEOUT_MS: 5_000,
      MIGRATE_ON_START: false,
    };
    const boot = () => ({ config, logger, lifecycle: createLifecycle({ logger, timeoutMs: 5_000 }) });
    const first = boot();
    await expect(openDatabase(first, 'order', migrationsDir)).rejects.toThrow(
      new RegExp(`schema orders_by_command lacks migrations ${shipped.join(', ')} .*pnpm migrate order`),
    );
    await first.lifecycle.shutdown('test');

    const run = spawnTs(migrateCommand, { PG_URL: db.url, PG_SCHEMA: config.PG_SCHEMA, LOG_LEVEL: 'warn' }, [
      'order',
    ]);
    expect(await run.exited()).toBe(0);
    expect(JSON.parse(run.lines.at(-1)!)).toEqual({
      service: 'order',
      applied: shipped,
      alreadyApplied: 0,
    });

    const second = boot();
    const pool = await openDatabase(second, 'order', migrationsDir);
    expect((await pool.query('SELECT count(*)::int AS n FROM orders')).rows[0]).toEqual({ n: 0 });
    await second.lifecycle.shutdown('test');
  });

  it('answers a usage line for an unknown service', async () => {
    const run = spawnTs(migrateCommand, {}, ['payments']);
    expect(await run.exited()).toBe(2);
  });
});
