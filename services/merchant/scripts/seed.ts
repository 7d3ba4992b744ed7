/**
 * Seeds the demo city (12 merchants around Berlin Mitte, see src/app/seed.ts) into PostgreSQL:
 *   PG_URL=postgres://... node services/merchant/scripts/seed.ts
 * Applies the merchant migrations first, so it works before the service ever started. Safe to run
 * again: it upserts by fixed ids. The local platform (pnpm start) calls seedDemoCityInto directly.
 */
import { fileURLToPath } from 'node:url';
import { env, loadConfig, z } from '@mealpeak/config';
import { createPool, migrate } from '@mealpeak/db';
import { createLogger, type Logger } from '@mealpeak/telemetry';
import { seedDemoCity } from '../src/app/seed.ts';
import { scriptUseCases } from './script-use-cases.ts';

export interface SeedTarget {
  readonly pgUrl: string;
  readonly schema: string;
  readonly outboxPartitions: number;
  readonly logger: Logger;
}

export async function seedDemoCityInto(target: SeedTarget): Promise<{ merchants: number; items: number }> {
  const pool = createPool({
    url: target.pgUrl,
    max: 2,
    schema: target.schema,
    statementTimeoutMs: 10_000,
    applicationName: 'merchant-seed',
  });
  try {
    await migrate(pool, target.schema, fileURLToPath(new URL('../migrations', import.meta.url)));
    const useCases = scriptUseCases({
      pool,
      schema: target.schema,
      outboxPartitions: target.outboxPartitions,
      logger: target.logger,
      script: 'the seed',
    });
    return await seedDemoCity(useCases);
  } finally {
    await pool.end();
  }
}

if (import.meta.main) {
  const config = loadConfig(
    z.object({
      ...env.postgres,
      PG_SCHEMA: z
        .string()
        .regex(/^[a-z_]+$/)
        .default('merchants'),
      OUTBOX_PARTITIONS: env.positiveInt(8),
      LOG_LEVEL: env.logLevel,
    }),
  );
  const logger = createLogger({ service: 'merchant-seed', level: config.LOG_LEVEL });
  const report = await seedDemoCityInto({
    pgUrl: config.PG_URL,
    schema: config.PG_SCHEMA,
    outboxPartitions: config.OUTBOX_PARTITIONS,
    logger,
  });
  process.stdout.write(
    `seeded ${report.merchants} merchants and ${report.items} menu items around Berlin Mitte into schema ${config.PG_SCHEMA}\n`,
  );
}
