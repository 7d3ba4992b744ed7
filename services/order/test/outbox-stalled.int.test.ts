import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { Pool } from '@mealpeak/db';
import { EVENTS, TOPICS, createKafka, createProducer } from '@mealpeak/kafka';
import { createOutbox, relayApplicationName } from '@mealpeak/outbox';
import { createLifecycle, type BootContext } from '@mealpeak/runtime';
import { openDatabase, startOutbox, type OutboxConfig } from '@mealpeak/service-kit';
import { Metric, createLogger } from '@mealpeak/telemetry';
import { installInMemoryMetrics, type InMemoryMetrics } from '@mealpeak/telemetry/testing';
import { createTestDatabase, eventually, type TestDatabase } from '@mealpeak/testing';

const logger = createLogger({ service: 'outbox-stalled-test', level: 'silent' });
const migrations = fileURLToPath(new URL('../migrations', import.meta.url));

/** A port nothing listens on: Kafka as the relay sees it during an outage. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * The order service's outbox wiring (service-kit startOutbox, as service.ts calls it) while Kafka
 * is unreachable: the backlog gauges behind MealpeakOutboxStalled must show the unpublished rows
 * on the replica whose relay holds the partitions and fails every cycle, and on one that does not
 * relay (docs/operations.md#mealpeakoutboxstalled).
 */
describe('outbox gauges during a Kafka outage', () => {
  let db: TestDatabase;
  let telemetry: InMemoryMetrics;
  let brokers: string[];

  beforeAll(async () => {
    telemetry = installInMemoryMetrics();
    db = await createTestDatabase();
    brokers = [`127.0.0.1:${await closedPort()}`];
  });
  afterAll(async () => {
    await telemetry?.shutdown();
    await db?.drop();
  });

  async function replica(relayEnabled: boolean, before: (pool: Pool) => Promise<void> = async () => {}) {
    const config: OutboxConfig = {
      PG_URL: db.url,
      PG_POOL_MAX: 4,
      PG_SCHEMA: 'orders',
      PG_STATEMENT_TIMEOUT_MS: 5_000,
      MIGRATE_ON_START: true,
      OUTBOX_PARTITIONS: 4,
      OUTBOX_RELAY_ENABLED: relayEnabled,
    };
    const ctx: BootContext<OutboxConfig> = {
      config,
      logger,
      lifecycle: createLifecycle({ logger, timeoutMs: 30_000 }),
    };
    const pool = await openDatabase(ctx, 'order', migrations);
    await before(pool);
    // Never connected: every publish of the relay fails, as against a broker that is down.
    const producer = createProducer(createKafka({ brokers, clientId: 'order', logger }), 'order');
    await startOutbox(ctx, 'order', producer, pool);
    return { pool, stop: () => ctx.lifecycle.shutdown('test over') };
  }

  const gauge = async (name: string) =>
    (await telemetry.values(name)).filter((p) => p.attributes.schema === 'orders').map((p) => p.value);

  /** Three state changes committed two minutes ago and never published. */
  async function stuckRows(pool: Pool) {
    await createOutbox({ schema: 'orders', partitions: 4 }).enqueue(
      pool,
      TOPICS.orderEvents,
      ['o-1', 'o-2', 'o-3'].map((orderId) => ({
        type: EVENTS.refundRequested,
        key: orderId,
        occurredAt: new Date(),
        payload: { orderId, customerId: 'c-1', amount: { amountMinor: 100, currency: 'CNY' }, reason: 'X' },
      })),
    );
    await pool.query("UPDATE outbox SET created_at = now() - interval '2 minutes'");
  }

  it('reports the pending rows and their age on the replica whose relay fails every cycle', async () => {
    const first = await replica(true, stuckRows);
    try {
      // This replica's relay holds every outbox partition (exclusive locks) and keeps failing to
      // publish.
      await eventually(
        async () => {
          const { rows } = await first.pool.query<{ n: number }>(
            `SELECT count(*)::int AS n FROM pg_locks l JOIN pg_stat_activity a USING (pid)
              WHERE l.locktype = 'advisory' AND l.mode = 'ExclusiveLock' AND l.granted
                AND a.application_name = $1 AND a.datname = current_database()`,
            [relayApplicationName('order', 'orders')],
          );
          return rows[0]?.n === 4 ? true : undefined;
        },
        10_000,
        'the relay holding all four partitions',
      );
      await eventually(
        async () => ((await gauge(Metric.OUTBOX_PENDING))[0] === 3 ? true : undefined),
        15_000,
        'mealpeak.outbox.pending at 3',
      );
      const [age] = await gauge(Metric.OUTBOX_OLDEST_AGE);
      expect(age).toBeGreaterThanOrEqual(120);
      expect(age).toBeLessThan(300);
      expect((await first.pool.query('SELECT 1 FROM outbox')).rowCount).toBe(3);
    } finally {
      await first.stop();
    }
  });

  it('reports them on a replica that does not relay at all', async () => {
    const other = await replica(false);
    try {
      await eventually(
        async () => ((await gauge(Metric.OUTBOX_PENDING))[0] === 3 ? true : undefined),
        15_000,
        'mealpeak.outbox.pending at 3',
      );
      expect((await gauge(Metric.OUTBOX_OLDEST_AGE))[0]).toBeGreaterThanOrEqual(120);
    } finally {
      await other.stop();
    }
  });
});
