import { createPool, migrate, type Pool } from '@mealpeak/db';
import type { BootContext } from '@mealpeak/runtime';

/** The PostgreSQL part every service's config has (env.postgres + PG_SCHEMA + MIGRATE_ON_START). */
export interface DatabaseConfig {
  readonly PG_URL: string;
  readonly PG_POOL_MAX: number;
  readonly PG_SCHEMA: string;
  readonly PG_STATEMENT_TIMEOUT_MS: number;
  readonly MIGRATE_ON_START: boolean;
}

/** The service's pool on its own schema, migrated when configured; closed at shutdown. */
export async function openDatabase(
  ctx: BootContext<DatabaseConfig>,
  service: string,
  migrationsDir: string,
): Promise<Pool> {
  const { config, logger, lifecycle } = ctx;
  const pool = createPool({
    url: config.PG_URL,
    max: config.PG_POOL_MAX,
    schema: config.PG_SCHEMA,
    statementTimeoutMs: config.PG_STATEMENT_TIMEOUT_MS,
    applicationName: service,
  });
  lifecycle.onShutdown('pg pool', () => pool.end());
  if (config.MIGRATE_ON_START)
    logger.info(await migrate(pool, config.PG_SCHEMA, migrationsDir), 'migrations checked');
  return pool;
}
