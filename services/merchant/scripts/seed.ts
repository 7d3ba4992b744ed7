/**
 * Seeds the demo city (12 merchants around Berlin Mitte, see src/app/seed.ts) into PostgreSQL:
 *   PG_URL=postgres://... node services/merchant/scripts/seed.ts
 * Applies the merchant migrations first, so it works before the service ever started. Safe to run
 * again: it upserts by fixed ids. The local platform (pnpm start) calls seedDemoCityInto directly.
 */
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { env, loadConfig, z } from '@mealpeak/config';
import { createPool, migrate } from '@mealpeak/db';
import { createOutbox } from '@mealpeak/outbox';
import { createLogger, type Logger } from '@mealpeak/telemetry';
import { createPgStore } from '../src/adapters/pg-store.ts';
import { seedDemoCity } from '../src/app/seed.ts';
import { createUseCases } from '../src/app/use-cases.ts';
import { noOrderService } from './no-order-service.ts';

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
    const useCases = createUseCases({
      store: createPgStore({
        pool,
        outbox: createOutbox({ schema: target.schema, partitions: target.outboxPartitions }),
      }),
      orders: noOrderService('the seed'),
      clock: { now: () => new Date() },
      ids: { newId: () => randomUUID() },
      logger: target.logger,
      settings: { reservationTtlSeconds: 120, sweepRetryMs: 30_000 },
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
