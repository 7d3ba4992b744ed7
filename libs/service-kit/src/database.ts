import { createPool, migrate, pendingMigrations, type MigrationReport, type Pool } from '@mealpeak/db';
import type { BootContext } from '@mealpeak/runtime';

/** The PostgreSQL part every service's config has (env.postgres + PG_SCHEMA + MIGRATE_ON_START). */
export interface DatabaseConfig {
  readonly PG_URL: string;
  readonly PG_POOL_MAX: number;
  readonly PG_SCHEMA: string;
  readonly PG_STATEMENT_TIMEOUT_MS: number;
  readonly MIGRATE_ON_START: boolean;
}

const poolFor = (config: DatabaseConfig, service: string): Pool =>
  createPool({
    url: config.PG_URL,
    max: config.PG_POOL_MAX,
    schema: config.PG_SCHEMA,
    statementTimeoutMs: config.PG_STATEMENT_TIMEOUT_MS,
    applicationName: service,
  });

/** The service's pool on its own schema, migrated when configured; closed at shutdown. */
export async function openDatabase(
  ctx: BootContext<DatabaseConfig>,
  service: string,
  migrationsDir: string,
): Promise<Pool> {
  const { config, logger, lifecycle } = ctx;
  const pool = poolFor(config, service);
  lifecycle.onShutdown('pg pool', () => pool.end());
  if (config.MIGRATE_ON_START)
    logger.info(
      await migrate(pool, config.PG_SCHEMA, migrationsDir, {
        // A long query holds a table the migration must lock: it gave up so as not to stall
        // that table's traffic, and tries again after the pause (libs/db/src/migrate.ts).
        onLockTimeout: (info) => logger.warn(info, 'migration could not lock a table in time; trying again'),
      }),
      'migrations checked',
    );
  else {
    // Migrations are someone else's job (a Job, `pnpm migrate`): never serve on an older schema.
    const pending = await pendingMigrations(pool, config.PG_SCHEMA, migrationsDir);
    if (pending.length > 0)
      throw new Error(
        `schema ${config.PG_SCHEMA} lacks migrations ${pending.join(', ')} and MIGRATE_ON_START is false: ` +
          `run \`pnpm migrate ${service}\` (node scripts/migrate.ts in the image) first`,
      );
  }
  return pool;
}

/**
 * `pnpm migrate <service>` (`node scripts/migrate.ts` in the image, e.g. as a Job before a rollout
 * with MIGRATE_ON_START=false): the service's migrations with its own configuration, then done.
 */
export async function migrateNow(
  config: DatabaseConfig,
  service: string,
  migrationsDir: string,
): Promise<MigrationReport> {
  const pool = poolFor(config, service);
  try {
    return await migrate(pool, config.PG_SCHEMA, migrationsDir);
  } finally {
    await pool.end();
  }
}
