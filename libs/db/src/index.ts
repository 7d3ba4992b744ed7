export { createPool, type Pool, type PoolClient, type PoolSettings, type Queryable } from './pool.ts';
export { withTransaction, type TransactionOptions, type IsolationLevel } from './transaction.ts';
export {
  migrate,
  pendingMigrations,
  readMigrations,
  type Migration,
  type MigrationReport,
  type MigrateOptions,
} from './migrate.ts';
export { databaseUrl, dropDatabase, ensureDatabase, withAdmin } from './admin.ts';
export { purgeRows, type NamedStatementRunner, type PurgeStep } from './purge.ts';
