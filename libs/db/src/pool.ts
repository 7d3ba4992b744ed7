import pg from 'pg';

export type Pool = pg.Pool;
export type PoolClient = pg.PoolClient;
export type Queryable = Pick<pg.Pool, 'query'> | Pick<pg.PoolClient, 'query'>;

export interface PoolSettings {
  url: string;
  /** Connections per replica. Keep replicas x max under the server's max_connections. */
  max: number;
  /** Each service owns one schema; it is first on the search_path of every connection. */
  schema: string;
  statementTimeoutMs: number;
  applicationName: string;
}

/**
 * A pg Pool with limits that fail fast under overload instead of queueing forever: a connection
 * wait timeout, a statement timeout, and idle connections closed so scale-in frees server slots.
 */
export function createPool(settings: PoolSettings): Pool {
  const pool = new pg.Pool({
    connectionString: settings.url,
    max: settings.max,
    idleTimeoutMillis: 30_000,
    connectionTimeoutMillis: 5_000,
    statement_timeout: settings.statementTimeoutMs,
    idle_in_transaction_session_timeout: Math.max(settings.statementTimeoutMs * 2, 10_000),
    application_name: settings.applicationName,
    options: `-c search_path=${settings.schema},public`,
  });
  // An idle client erroring (server restart, network) must not crash the process; the pool
  // discards it and the next query opens a new connection.
  pool.on('error', () => undefined);
  // The same for a client that is checked out (pg-pool only listens while it is idle): a server
  // restart, failover or pg_terminate_backend mid-transaction emitted 'error' on it with no
  // listener, which killed the process. The query in flight, or the next one, fails with the
  // error instead, and withTransaction destroys the connection.
  pool.on('connect', (client) => client.on('error', () => undefined));
  return pool;
}
