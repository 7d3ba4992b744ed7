/**
 * `pnpm migrate <service>`: applies one service's PostgreSQL migrations with its configuration
 * from the environment (PG_URL, PG_SCHEMA...), for deployments that start with MIGRATE_ON_START=false.
 */
const SERVICES = ['order', 'merchant', 'rider-dispatch'];
const service = process.argv[2] ?? '';
if (!SERVICES.includes(service)) {
  process.stderr.write(`usage: pnpm migrate <${SERVICES.join('|')}>\n`);
  process.exit(2);
}
await import(`../services/${service}/scripts/migrate.ts`);
