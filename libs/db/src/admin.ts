import pg from 'pg';

/**
 * Whole databases on a server, for the tools that need one of their own (benchmarks, the replica
 * mode). Names are plain identifiers only: they are interpolated into DDL.
 */
const SAFE_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** `serverUrl` with its database replaced by `name`. */
export function databaseUrl(serverUrl: string, name: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/** One short-lived connection to `serverUrl` for `work`, closed whatever happens. */
export async function withAdmin<T>(serverUrl: string, work: (c: pg.Client) => Promise<T>): Promise<T> {
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    return await work(admin);
  } finally {
    await admin.end();
  }
}

/**
 * A database of its own on the server of `serverUrl`: created when missing; with `fresh`, dropped
 * first (FORCE ends the sessions of a replica mode that was killed without stopping).
 * Returns the database's URL.
 */
export async function ensureDatabase(serverUrl: string, name: string, fresh: boolean): Promise<string> {
  if (!SAFE_NAME.test(name)) throw new Error(`database name "${name}" must match ${SAFE_NAME.source}`);
  await withAdmin(serverUrl, async (admin) => {
    if (fresh) await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    const { rowCount } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (!rowCount) await admin.query(`CREATE DATABASE ${name}`);
  });
  return databaseUrl(serverUrl, name);
}

export async function dropDatabase(serverUrl: string, name: string): Promise<void> {
  if (!SAFE_NAME.test(name)) throw new Error(`database name "${name}" must match ${SAFE_NAME.source}`);
  await withAdmin(serverUrl, (admin) => admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
}
