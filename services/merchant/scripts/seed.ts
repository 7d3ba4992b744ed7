/**
 * Seeds the demo city (12 merchants around Berlin Mitte, see src/app/seed.ts) into PostgreSQL:
 *   PG_URL=postgres://... node services/merchant/scripts/seed.ts
 * Applies the merchant migrations first, so it works before the service ever started. Safe to run
 * again: it upserts by fixed ids.
 */
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { codedError, err } from '@mealpeak/core';
import { env, loadConfig, z } from '@mealpeak/config';
import { createPool, migrate } from '@mealpeak/db';
import { createOutbox } from '@mealpeak/outbox';
import { createLogger } from '@mealpeak/telemetry';
import { createPgStore } from '../src/adapters/pg-store.ts';
import type { OrderService } from '../src/app/ports.ts';
import { seedDemoCity } from '../src/app/seed.ts';
import { createUseCases } from '../src/app/use-cases.ts';

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
const pool = createPool({
  url: config.PG_URL,
  max: 2,
  schema: config.PG_SCHEMA,
  statementTimeoutMs: config.PG_STATEMENT_TIMEOUT_MS,
  applicationName: 'merchant-seed',
});
// Seeding never touches orders.
const noOrders: OrderService = {
  transition: async () => err(codedError('unavailable', 'NOT_CONNECTED', 'the seed has no order service')),
  getOrder: async () => err(codedError('unavailable', 'NOT_CONNECTED', 'the seed has no order service')),
};

try {
  await migrate(pool, config.PG_SCHEMA, fileURLToPath(new URL('../migrations', import.meta.url)));
  const useCases = createUseCases({
    store: createPgStore({
      pool,
      outbox: createOutbox({ schema: config.PG_SCHEMA, partitions: config.OUTBOX_PARTITIONS }),
    }),
    orders: noOrders,
    clock: { now: () => new Date() },
    ids: { newId: () => randomUUID() },
    logger,
    settings: { reservationTtlSeconds: 120, sweepRetryMs: 30_000 },
  });
  const report = await seedDemoCity(useCases);
  process.stdout.write(
    `seeded ${report.merchants} merchants and ${report.items} menu items around Berlin Mitte into schema ${config.PG_SCHEMA}\n`,
  );
} finally {
  await pool.end();
}
