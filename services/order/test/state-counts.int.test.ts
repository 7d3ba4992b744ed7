import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { createPool, migrate, type Pool } from '@mealpeak/db';
import { createOutbox } from '@mealpeak/outbox';
import { TOPICS } from '@mealpeak/kafka';
import { createTestDatabase, type TestDatabase } from '@mealpeak/testing';
import { acceptedOverdueQuery, createPgOrderStore, stateCountQuery } from '../src/adapters/pg-order-store.ts';
import { COUNT_WINDOW_MAX_MS } from '../src/domain/state-counts.ts';
import type { OrderStore } from '../src/app/ports.ts';
import type { OrderState } from '../src/domain/order.ts';

const migrations = fileURLToPath(new URL('../migrations', import.meta.url));
const HOUR = 3_600_000;

/** Orders straight into the table: `n` of one merchant, state and placement age. */
async function insertOrders(
  pool: Pool,
  rows: { n: number; merchant: string; state: OrderState; hoursAgo: number; readyHoursAgo?: number }[],
) {
  for (const r of rows)
    await pool.query(
      `INSERT INTO orders (id, customer_id, merchant_id, state, lines, total_minor, currency, pickup_lat,
                           pickup_lng, dropoff_lat, dropoff_lng, placed_at, updated_at, accept_by,
                           expected_ready_at, promised_at, version)
       SELECT gen_random_uuid(), 'c-1', $2, $3, '[]', 100, 'EUR', 0, 0, 0, 0,
              now() - make_interval(secs => $4::float8 * 3600), now(), now(),
              now() - make_interval(secs => $5::float8 * 3600), now(), 1
         FROM generate_series(1, $1)`,
      [r.n, r.merchant, r.state, r.hoursAgo, r.readyHoursAgo ?? -1],
    );
}

type PlanNode = Record<string, string | number | undefined> & { Plans?: PlanNode[] };

/** Every node of an EXPLAIN (FORMAT JSON) plan. */
function nodesOf(plan: PlanNode): PlanNode[] {
  const children = plan.Plans ?? [];
  return [plan, ...children.flatMap(nodesOf)];
}

describe('ops counts by state and overdue accepted orders, on real PostgreSQL', () => {
  let db: TestDatabase;
  let pool: Pool;
  let store: OrderStore;

  beforeAll(async () => {
    db = await createTestDatabase();
    pool = createPool({
      url: db.url,
      max: 4,
      schema: 'orders',
      statementTimeoutMs: 5_000,
      applicationName: 't',
    });
    await migrate(pool, 'orders', migrations);
    store = createPgOrderStore(pool, createOutbox({ schema: 'orders', partitions: 1 }), TOPICS.orderEvents);
    // History: many finished orders of the last month, a few recent ones, live ones of any age.
    await insertOrders(pool, [
      { n: 20_000, merchant: 'm-old', state: 'DELIVERED', hoursAgo: 24 * 20 },
      { n: 2_000, merchant: 'm-old', state: 'CANCELLED', hoursAgo: 24 * 6 },
      { n: 5, merchant: 'm-1', state: 'DELIVERED', hoursAgo: 2 },
      { n: 3, merchant: 'm-1', state: 'DELIVERED', hoursAgo: 30 },
      { n: 2, merchant: 'm-2', state: 'REJECTED', hoursAgo: 1 },
      { n: 4, merchant: 'm-1', state: 'PLACED', hoursAgo: 0 },
      // Live orders count whatever their age: this one was accepted days ago and never readied.
      { n: 1, merchant: 'm-1', state: 'ACCEPTED', hoursAgo: 24 * 3, readyHoursAgo: 24 * 3 - 1 },
      { n: 2, merchant: 'm-2', state: 'ACCEPTED', hoursAgo: 0.2, readyHoursAgo: -0.1 },
      { n: 1, merchant: 'm-2', state: 'ACCEPTED', hoursAgo: 1, readyHoursAgo: 0.5 },
      { n: 3, merchant: 'm-2', state: 'PICKED_UP', hoursAgo: 1 },
    ]);
    await pool.query('VACUUM ANALYZE orders');
  }, 60_000);

  afterAll(async () => {
    await pool?.end();
    await db?.drop();
  });

  const asObject = (m: ReadonlyMap<OrderState, number>) =>
    Object.fromEntries([...m].filter(([, n]) => n > 0));

  it('counts live orders of any age and finished ones placed within the window', async () => {
    const since = new Date(Date.now() - 24 * HOUR);
    expect(asObject(await store.countByState(undefined, since))).toEqual({
      PLACED: 4,
      ACCEPTED: 4,
      PICKED_UP: 3,
      DELIVERED: 5,
      REJECTED: 2,
    });
    // A wider window (the widest the API takes) takes the older finished orders in.
    expect(
      asObject(await store.countByState(undefined, new Date(Date.now() - COUNT_WINDOW_MAX_MS))),
    ).toMatchObject({
      DELIVERED: 8,
      CANCELLED: 2_000,
    });
    expect(asObject(await store.countByState('m-1', since))).toEqual({
      PLACED: 4,
      ACCEPTED: 1,
      DELIVERED: 5,
    });
    // Every state is present, at 0 when nothing is in it.
    expect((await store.countByState('m-2', since)).get('READY_FOR_PICKUP')).toBe(0);
  });

  it('reads live orders and the window of finished ones through indexes, never the whole table', async () => {
    const indexReads = async (merchantId: string | undefined, hours: number) => {
      const q = stateCountQuery(merchantId, new Date(Date.now() - hours * HOUR));
      const { rows } = await pool.query<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(
        `EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${q.text}`,
        q.values,
      );
      const nodes = nodesOf(rows[0]!['QUERY PLAN'][0].Plan);
      // A range, not the whole index read with a condition on a later column: fewer pages than
      // half of the index (history dominates it).
      for (const n of nodes.filter((x) => x['Index Name'] === 'orders_finished_recent')) {
        const { rows: size } = await pool.query<{ pages: number }>(
          `SELECT relpages AS pages FROM pg_class WHERE relname = 'orders_finished_recent'`,
        );
        const read = Number(n['Shared Hit Blocks']) + Number(n['Shared Read Blocks']);
        expect(read).toBeLessThan(size[0]!.pages / 2);
      }
      expect(nodes.map((n) => n['Node Type'])).not.toContain('Seq Scan');
      const reads = nodes.filter((n) => n['Index Name'] !== undefined);
      // Every index read is a range (an index condition) or the whole of an index holding only
      // live orders (orders_merchant_active's predicate); the finished ones by placement time.
      for (const r of reads) expect(r['Index Cond'] ?? r['Index Name']).toBeTruthy();
      for (const r of reads.filter((n) => n['Index Cond'] === undefined))
        expect(r['Index Name']).toBe('orders_merchant_active');
      expect(reads.some((r) => String(r['Index Cond']).includes('placed_at >='))).toBe(true);
      return reads.map((r) => `${String(r['Index Name'])} ${String(r['Index Cond'] ?? '')}`);
    };
    expect(await indexReads(undefined, 24)).toContainEqual(expect.stringMatching(/^orders_state /));
    expect(await indexReads('m-1', 24)).toContainEqual(expect.stringMatching(/^orders_merchant_active /));
    // The widest window the API takes, over many finished orders: one range of the finished
    // orders' index.
    expect(
      (await indexReads(undefined, COUNT_WINDOW_MAX_MS / HOUR)).some((r) =>
        r.startsWith('orders_finished_recent (placed_at >='),
      ),
    ).toBe(true);
  });

  it('finds ACCEPTED orders past their expected ready time by more than the grace', async () => {
    const overdue = await store.acceptedOverdue(new Date(Date.now() - 0.25 * HOUR));
    expect(overdue.count).toBe(2); // the one three days late and the one 30 min late; not those due soon
    expect(Date.now() - overdue.oldestReadyAt!.getTime()).toBeGreaterThan((24 * 3 - 1) * HOUR - 60_000);
    // The store's own statement, with its parameter, as the metric runs it.
    const q = acceptedOverdueQuery(new Date());
    const { rows } = await pool.query<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(
      `EXPLAIN (FORMAT JSON) ${q.text}`,
      q.values,
    );
    const scans = nodesOf(rows[0]!['QUERY PLAN'][0].Plan).filter((n) => n['Relation Name'] === 'orders');
    expect(scans.map((n) => n['Index Name'])).toEqual(['orders_accepted_ready']);
  });
});
