import { bootService } from '@mealpeak/runtime';
import { createPool, migrate } from '@mealpeak/db';
import { createGrpcServer } from '@mealpeak/grpc';
import { fileURLToPath } from 'node:url';
import { configSchema } from './config.ts';

await bootService('order', configSchema, async ({ config, logger, lifecycle }) => {
  const pool = createPool({
    url: config.PG_URL,
    max: config.PG_POOL_MAX,
    schema: config.PG_SCHEMA,
    statementTimeoutMs: config.PG_STATEMENT_TIMEOUT_MS,
    applicationName: 'order',
  });
  lifecycle.onShutdown('pg pool', () => pool.end());
  if (config.MIGRATE_ON_START) {
    const report = await migrate(
      pool,
      config.PG_SCHEMA,
      fileURLToPath(new URL('../migrations', import.meta.url)),
    );
    logger.info(report, 'migrations checked');
  }
  const grpc = createGrpcServer({ logger, port: config.GRPC_PORT });
  await grpc.start();
  lifecycle.onShutdown('grpc server', () => grpc.shutdown(config.SHUTDOWN_TIMEOUT_MS / 2));
});
