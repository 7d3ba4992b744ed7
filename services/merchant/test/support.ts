import { fileURLToPath } from 'node:url';
import { createPool, migrate, type Pool } from '@mealpeak/db';
import { createOutbox } from '@mealpeak/outbox';
import { createTestDatabase, type TestDatabase } from '@mealpeak/testing';
import { createPgStore } from '../src/adapters/pg-store.ts';
import { createMerchantService, type MerchantService } from '../src/app.ts';
import { createFakeOrderService } from '../src/app/test-support/fake-order-service.ts';
import { createTestClock, testDeps, type TestClock } from '../src/app/test-support/fixtures.ts';
import type { MerchantStore, OrderService } from '../src/app/ports.ts';

export const SCHEMA = 'merchants';
export const OUTBOX_PARTITIONS = 4;
const migrations = fileURLToPath(new URL('../migrations', import.meta.url));

export interface MerchantDb {
  readonly db: TestDatabase;
  readonly pool: Pool;
  /** A service on this database: PostgreSQL store, a fake order service unless given, a test clock. */
  service(options?: { merchantEventsTopic?: string; orders?: OrderService; clock?: TestClock }): {
    service: MerchantService;
    store: MerchantStore;
    clock: TestClock;
  };
  stock(itemId: string): Promise<number>;
  close(): Promise<void>;
}

/** A fresh database with the merchant schema migrated, for one test file. */
export async function createMerchantDb(poolMax = 20): Promise<MerchantDb> {
  const db = await createTestDatabase();
  const pool = createPool({
    url: db.url,
    max: poolMax,
    schema: SCHEMA,
    statementTimeoutMs: 10_000,
    applicationName: 'merchant-test',
  });
  await migrate(pool, SCHEMA, migrations);
  return {
    db,
    pool,
    service(options = {}) {
      const store = createPgStore({
        pool,
        outbox: createOutbox({ schema: SCHEMA, partitions: OUTBOX_PARTITIONS }),
        ...(options.merchantEventsTopic ? { merchantEventsTopic: options.merchantEventsTopic } : {}),
      });
      const clock = options.clock ?? createTestClock();
      const { deps } = testDeps(store, { clock });
      const orders = options.orders ?? createFakeOrderService();
      const service = createMerchantService({
        ...deps,
        orders,
        sweep: { intervalMs: 50, batchSize: 10 },
        recount: { intervalMs: 50, batchSize: 10 },
      });
      return { service, store, clock };
    },
    async stock(itemId) {
      const { rows } = await pool.query<{ stock: number }>('SELECT stock FROM menu_items WHERE id = $1', [
        itemId,
      ]);
      return rows[0]!.stock;
    },
    async close() {
      await pool.end();
      await db.drop();
    },
  };
}
