/**
 * pnpm bench:catchup: how fast the merchant's order-event consumer works off a backlog, the
 * situation after a restart, a deploy or a lag spike at peak. Against the infra script's
 * PostgreSQL and Kafka: N tentative reservations, N OrderStateChanged(PLACED) events on a
 * 3-partition topic, then a consumer joins and the time from joining until every reservation is
 * confirmed is measured, with the consumer's batch handler (one statement per run of PLACED
 * events) and without it (one statement per event), twice each, alternating.
 *
 *   pnpm bench:catchup [--events 3000]
 *
 * Ends with one line: catchup_one_by_one_per_s=N catchup_batched_per_s=N speedup=X
 * (the better of the two runs of each).
 */
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { unwrap } from '@mealpeak/core';
import { OrderState } from '@mealpeak/contracts/order.v1';
import { createPool, dropDatabase, ensureDatabase, migrate } from '@mealpeak/db';
import { EVENTS, createConsumer, createKafka, createProducer, newEventId } from '@mealpeak/kafka';
import { createOutbox } from '@mealpeak/outbox';
import { createLogger } from '@mealpeak/telemetry';
import { createPgStore } from '../src/adapters/pg-store.ts';
import { createMerchantService } from '../src/app.ts';
import { itemInput, merchantInput, testDeps } from '../src/app/test-support/fixtures.ts';

const { values } = parseArgs({ options: { events: { type: 'string', default: '3000' } } });
const N = Number(values.events);
const env = (name: string) => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set: run through \`pnpm bench:catchup\` (it starts the infra)`);
  return v;
};
const logger = createLogger({ service: 'bench-catchup', level: 'warn' });
const SCHEMA = 'merchants';

const run = `bench_catchup_${Date.now()}`;
const url = await ensureDatabase(env('PG_URL'), run, true);
const pool = createPool({ url, max: 10, schema: SCHEMA, statementTimeoutMs: 30_000, applicationName: run });
await migrate(pool, SCHEMA, fileURLToPath(new URL('../migrations', import.meta.url)));
const kafka = createKafka({ brokers: env('KAFKA_BROKERS').split(','), clientId: run, logger });
const kafkaAdmin = kafka.admin();
await kafkaAdmin.connect();
const producer = createProducer(kafka, 'order');
await producer.connect();
const topics: string[] = [];

const store = createPgStore({ pool, outbox: createOutbox({ schema: SCHEMA, partitions: 4 }) });
const { deps, orders } = testDeps(store);
const service = createMerchantService({ ...deps, orders, sweep: { intervalMs: 60_000, batchSize: 10 } });
const uc = service.useCases;
unwrap(await uc.upsertMerchant(merchantInput()));
unwrap(await uc.upsertMenuItem(itemInput('burger', { stock: 100_000_000 })));

async function drain(mode: 'one by one' | 'batched', round: number): Promise<number> {
  const topic = `${run}.order-events.${round}`;
  topics.push(topic);
  await kafkaAdmin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: 3 }] });
  const ids = Array.from({ length: N }, () => crypto.randomUUID());
  for (const id of ids)
    unwrap(
      await uc.reserveStock({ orderId: id, merchantId: 'm1', lines: [{ itemId: 'burger', quantity: 1 }] }),
    );
  const events = ids.map((id) => ({
    type: EVENTS.orderStateChanged,
    key: id,
    eventId: newEventId(),
    payload: {
      order: {
        id,
        customerId: 'c',
        merchantId: 'm1',
        state: OrderState.ORDER_STATE_PLACED,
        lines: [],
        dropoffAddress: '',
        riderId: '',
        reason: '',
        version: 1,
      },
      fromState: OrderState.ORDER_STATE_UNSPECIFIED,
      toState: OrderState.ORDER_STATE_PLACED,
      reason: '',
    },
  }));
  for (let i = 0; i < N; i += 500) await producer.publish(topic, events.slice(i, i + 500));
  const handlers =
    mode === 'batched'
      ? service.eventHandlers
      : service.eventHandlers.map(({ type, handle }) => ({ type, handle }));
  const consumer = createConsumer(kafka, { groupId: `${topic}.merchant`, topics: [topic], handlers, logger });
  await consumer.start();
  await consumer.joined();
  const t0 = performance.now();
  for (;;) {
    const { rows } = await pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM reservations WHERE state = 'confirmed' AND order_id = ANY($1)`,
      [ids],
    );
    if (rows[0]!.n === N) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  const rate = N / ((performance.now() - t0) / 1000);
  await consumer.stop();
  process.stderr.write(`  ${mode}: ${N} PLACED events worked off at ${rate.toFixed(0)} events/s\n`);
  return rate;
}

const best = { 'one by one': 0, batched: 0 };
try {
  let round = 0;
  for (const mode of ['one by one', 'batched', 'one by one', 'batched'] as const)
    best[mode] = Math.max(best[mode], await drain(mode, round++));
} finally {
  await producer.disconnect();
  await kafkaAdmin.deleteTopics({ topics }).catch(() => undefined);
  await kafkaAdmin.disconnect();
  await pool.end();
  await dropDatabase(env('PG_URL'), run).catch(() => undefined);
}
console.log(
  `catchup_one_by_one_per_s=${best['one by one'].toFixed(0)} catchup_batched_per_s=${best.batched.toFixed(0)} speedup=${(best.batched / best['one by one']).toFixed(1)}`,
);
