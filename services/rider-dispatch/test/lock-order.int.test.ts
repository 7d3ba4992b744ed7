import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '@mealpeak/db';
import { TOPICS } from '@mealpeak/kafka';
import { createOutbox } from '@mealpeak/outbox';
import { createTestDatabase, eventually, type TestDatabase } from '@mealpeak/testing';
import { createPgDispatchStore } from '../src/adapters/pg-dispatch-store.ts';
import type { DispatchStore, OrderFacts } from '../src/app/ports.ts';
import type { UpstreamOrderState } from '../src/domain/delivery/model.ts';
import { at, centre } from './world.ts';

/**
 * Every writer of dispatch's rows takes its locks in one order (offer, orders by id, rider:
 * docs/dispatch-service.md#lock-order). Each case drives two real store calls on their own
 * connections into the interleaving that closed a lock cycle before, step by step: a third
 * connection (the gate) holds a row one of them needs next, the test waits until both are blocked
 * on a lock, then opens the gate. A cycle is a deadlock PostgreSQL only breaks after
 * deadlock_timeout (1 s) by failing one side with 40P01, which withTransaction then retries.
 */
const migrations = fileURLToPath(new URL('../migrations', import.meta.url));
const DEADLOCK = '40P01';
const ZONE = 'z3000:0:0';

interface Actor {
  readonly name: string;
  readonly pool: pg.Pool;
  readonly store: DispatchStore;
  /** SQLSTATEs of the queries that failed on this actor's connections. */
  readonly failures: string[];
}

/** Connections the database's drop terminates must not fail the run (as libs/db's createPool). */
function quiet(pool: pg.Pool): pg.Pool {
  pool.on('error', () => undefined);
  pool.on('connect', (client) => client.on('error', () => undefined));
  return pool;
}

describe('lock order of the dispatch store on PostgreSQL', () => {
  let db: TestDatabase;
  let sql: pg.Pool;
  const actors: Actor[] = [];

  /** A store on its own pool; `settings` are extra server settings of its connections. */
  function actor(name: string, settings = ''): Actor {
    const pool = new pg.Pool({
      connectionString: db.url,
      max: 2,
      application_name: name,
      options: `-c search_path=dispatch,public ${settings}`,
    });
    const failures: string[] = [];
    quiet(pool);
    pool.on('connect', (client) => {
      const query = client.query.bind(client) as (...args: unknown[]) => unknown;
      (client as { query: unknown }).query = (...args: unknown[]) => {
        const result = query(...args);
        if (result instanceof Promise)
          result.catch((error: unknown) => failures.push((error as { code?: string }).code ?? 'unknown'));
        return result;
      };
    });
    const store = createPgDispatchStore(
      pool,
      createOutbox({ schema: 'dispatch', partitions: 4 }),
      TOPICS.dispatchEvents,
    );
    const a = { name, pool, store, failures };
    actors.push(a);
    return a;
  }

  /** Resolves once a statement of `a` waits for a row lock. */
  const blocked = (a: Actor) =>
    eventually(
      async () => {
        const { rows } = await sql.query(
          `SELECT 1 FROM pg_stat_activity
            WHERE datname = current_database() AND application_name = $1 AND wait_event_type = 'Lock'`,
          [a.name],
        );
        return rows.length > 0 ? true : undefined;
      },
      15_000,
      `${a.name} waiting for a lock`,
    );

  /** A connection holding `lockSql`'s row locks until `open()`. */
  async function gate(lockSql: string, params: unknown[]) {
    const client = await sql.connect();
    await client.query('BEGIN');
    await client.query(lockSql, params);
    return {
      async open() {
        await client.query('COMMIT');
        client.release();
      },
    };
  }

  let setup: Actor;
  const now = () => new Date();
  const facts = (
    orderId: string,
    toState: UpstreamOrderState,
    version: number,
    placedAt = new Date(Date.now() - 60_000),
  ): OrderFacts => ({
    orderId,
    toState,
    version,
    zone: ZONE,
    merchantId: 'm-1',
    customerId: 'c-1',
    pickup: centre,
    dropoff: at(1_500),
    dropoffAddress: `${orderId} Nanjing Rd`,
    placedAt,
    expectedReadyAt: new Date(),
    promisedAt: new Date(Date.now() + 2_400_000),
  });
  const addOrder = async (orderId: string, placedAt?: Date) =>
    expect(
      await setup.store.applyOrderEvent(
        { consumer: 'rider-dispatch', eventId: randomUUID() },
        facts(orderId, 'ACCEPTED', 2, placedAt),
      ),
    ).toBe('insert');
  const addRider = (riderId: string) =>
    setup.store.setOnline(riderId, new Date(Date.now() + 3_600_000), now());
  const claim = (a: Actor, riderId: string, orderIds: string[], offerId = randomUUID()) =>
    a.store.claimOffer({
      offerId,
      riderId,
      orderIds,
      zone: ZONE,
      pickup: centre,
      plannedPickupAt: new Date(Date.now() + 300_000),
      createdAt: now(),
      expiresAt: new Date(Date.now() + 30_000),
      replicaId: a.name,
    });
  const row = async (table: 'dispatch_orders' | 'riders' | 'offers', key: string, id: string) =>
    (await sql.query<Record<string, unknown>>(`SELECT * FROM ${table} WHERE ${key} = $1`, [id])).rows[0];

  beforeAll(async () => {
    db = await createTestDatabase();
    sql = quiet(new pg.Pool({ connectionString: db.url, options: '-c search_path=dispatch', max: 4 }));
    setup = actor('setup');
    await migrate(setup.pool, 'dispatch', migrations);
  });
  afterAll(async () => {
    for (const a of actors) await a.pool.end();
    await sql?.end();
    await db?.drop();
  });

  it('two rounds claiming the same orders for different riders do not deadlock, whatever their plans read first', async () => {
    // One replica's claim reads the orders by key or by age (an index scan of the primary key or
    // of the waiting orders), the other's in table order (a sequential scan, as the planner picks
    // for a small table). Inserted youngest first, the table order is the opposite of both.
    const byKey = actor('claim-by-index', '-c enable_seqscan=off -c enable_bitmapscan=off');
    const byTable = actor('claim-by-table', '-c enable_indexscan=off -c enable_bitmapscan=off');
    const ids = ['lo-1-a', 'lo-1-b', 'lo-1-c'];
    const placed = Date.now() - 600_000;
    for (const [i, id] of [...ids.entries()].reverse()) await addOrder(id, new Date(placed + i * 1_000));
    const { rows } = await sql.query<{ order_id: string }>(
      'SELECT order_id FROM dispatch_orders WHERE order_id = ANY($1) ORDER BY ctid',
      [ids],
    );
    expect(rows.map((r) => r.order_id)).toEqual([...ids].reverse()); // the premise
    await addRider('lo-1-rider-k');
    await addRider('lo-1-rider-t');

    const middle = await gate('SELECT 1 FROM dispatch_orders WHERE order_id = $1 FOR UPDATE', [ids[1]]);
    const first = claim(byKey, 'lo-1-rider-k', ids); // has the first key, waits for the middle
    await blocked(byKey);
    const second = claim(byTable, 'lo-1-rider-t', ids); // before: had the last, waited for the middle
    await blocked(byTable);
    await middle.open();
    const won = await Promise.all([first, second]);

    expect([...byKey.failures, ...byTable.failures]).not.toContain(DEADLOCK);
    expect(won.filter(Boolean)).toHaveLength(1);
    const winner = won[0] ? 'lo-1-rider-k' : 'lo-1-rider-t';
    for (const id of ids)
      expect(await row('dispatch_orders', 'order_id', id)).toMatchObject({
        state: 'offered',
        rider_id: winner,
      });
  });

  it('a cancellation and the rider accepting its offer at the same moment do not deadlock', async () => {
    const cancelling = actor('cancel');
    const accepting = actor('accept');
    await addOrder('lo-2-o');
    await addRider('lo-2-rider');
    const offerId = randomUUID();
    expect(await claim(setup, 'lo-2-rider', ['lo-2-o'], offerId)).toBe(true);
    // Declined by someone else before: the cancellation deletes that row, which the gate holds.
    await sql.query(`INSERT INTO declined (order_id, rider_id, until) VALUES ($1, 'lo-2-other', $2)`, [
      'lo-2-o',
      new Date(Date.now() + 600_000),
    ]);

    const declines = await gate('SELECT 1 FROM declined WHERE order_id = $1 FOR UPDATE', ['lo-2-o']);
    const cancel = cancelling.store.applyOrderEvent(
      { consumer: 'rider-dispatch', eventId: randomUUID() },
      facts('lo-2-o', 'CANCELLED', 3),
    );
    await blocked(cancelling); // before: had the order, not yet the offer
    const accept = accepting.store.respondToOffer({
      offerId,
      riderId: 'lo-2-rider',
      accept: true,
      now: now(),
      declineUntil: new Date(Date.now() + 600_000),
      plan: undefined,
    });
    await blocked(accepting); // before: had the offer, waited for the order
    await declines.open();
    const [cancelled] = await Promise.all([cancel, accept]);

    expect([...cancelling.failures, ...accepting.failures]).not.toContain(DEADLOCK);
    expect(cancelled).toBe('cancel');
    expect(await row('dispatch_orders', 'order_id', 'lo-2-o')).toMatchObject({ state: 'cancelled' });
    expect(await row('riders', 'rider_id', 'lo-2-rider')).toMatchObject({ status: 'idle' });
    expect((await row('offers', 'offer_id', offerId))?.status).not.toBe('pending');
  });

  it('a rider going offline while their accept is under way does not deadlock', async () => {
    const accepting = actor('accept-2');
    const leaving = actor('offline');
    await addOrder('lo-3-o');
    await addRider('lo-3-rider');
    const offerId = randomUUID();
    expect(await claim(setup, 'lo-3-rider', ['lo-3-o'], offerId)).toBe(true);

    const order = await gate('SELECT 1 FROM dispatch_orders WHERE order_id = $1 FOR UPDATE', ['lo-3-o']);
    const accept = accepting.store.respondToOffer({
      offerId,
      riderId: 'lo-3-rider',
      accept: true,
      now: now(),
      declineUntil: new Date(Date.now() + 600_000),
      plan: undefined,
    });
    await blocked(accepting); // has the offer, waits for the order
    const offline = leaving.store.setOffline('lo-3-rider', now(), new Date(Date.now() + 600_000));
    await blocked(leaving); // before: had the rider, waited for the offer
    await order.open();
    const [accepted, left] = await Promise.all([accept, offline]);

    expect([...accepting.failures, ...leaving.failures]).not.toContain(DEADLOCK);
    // The accept came first: the rider delivers that order, then goes offline.
    expect(accepted.ok && accepted.value.accepted).toBe(true);
    expect(left).toEqual({ ok: true, value: { online: true, status: 'delivering' } });
    expect(await row('riders', 'rider_id', 'lo-3-rider')).toMatchObject({
      status: 'delivering',
      offline_requested: true,
    });
    expect(await row('dispatch_orders', 'order_id', 'lo-3-o')).toMatchObject({ state: 'assigned' });
  });

  it('a cancellation whose order moved to another offer while it waited locks that offer first and withdraws it', async () => {
    const cancelling = actor('cancel-2');
    await addOrder('lo-4-o');
    await addRider('lo-4-first');
    await addRider('lo-4-second');
    const first = randomUUID();
    const second = randomUUID();
    expect(await claim(setup, 'lo-4-first', ['lo-4-o'], first)).toBe(true);

    // The first rider declines and a round offers the order to the second, in one transaction
    // that has the first offer locked when the cancellation looks for the order's offer.
    const client = await sql.connect();
    await client.query('BEGIN');
    await client.query(`UPDATE offers SET status = 'declined', responded_at = now() WHERE offer_id = $1`, [
      first,
    ]);
    await client.query(`UPDATE riders SET status = 'idle' WHERE rider_id = 'lo-4-first'`);
    const cancel = cancelling.store.applyOrderEvent(
      { consumer: 'rider-dispatch', eventId: randomUUID() },
      facts('lo-4-o', 'CANCELLED', 3),
    );
    await blocked(cancelling);
    await client.query(
      `INSERT INTO offers (offer_id, rider_id, order_ids, zone, status, pickup_lat, pickup_lng,
                           planned_pickup_at, created_at, expires_at, replica_id)
       SELECT $1, 'lo-4-second', ARRAY['lo-4-o'], zone, 'pending', pickup_lat, pickup_lng,
              now(), now(), now() + interval '30 seconds', 'test'
         FROM offers WHERE offer_id = $2`,
      [second, first],
    );
    await client.query(
      `UPDATE dispatch_orders SET offer_id = $1, rider_id = 'lo-4-second', sequence = 0 WHERE order_id = 'lo-4-o'`,
      [second],
    );
    await client.query(`UPDATE riders SET status = 'offered' WHERE rider_id = 'lo-4-second'`);
    await client.query('COMMIT');
    client.release();

    expect(await cancel).toBe('cancel');
    expect(await row('dispatch_orders', 'order_id', 'lo-4-o')).toMatchObject({ state: 'cancelled' });
    expect(await row('offers', 'offer_id', second)).toMatchObject({ status: 'withdrawn' });
    expect(await row('riders', 'rider_id', 'lo-4-second')).toMatchObject({ status: 'idle' });
  });
});
