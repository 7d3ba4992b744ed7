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

  /** Resolves once a statement of `a` waits for a lock that the backend `pid` holds. */
  const blockedBy = (a: Actor, pid: number) =>
    eventually(
      async () => {
        const { rows } = await sql.query(
          `SELECT 1 FROM pg_stat_activity
            WHERE datname = current_database() AND application_name = $1 AND $2 = ANY(pg_blocking_pids(pid))`,
          [a.name, pid],
        );
        return rows.length > 0 ? true : undefined;
      },
      15_000,
      `${a.name} waiting for backend ${pid}`,
    );

  /** Whether `work` settles before a statement of `a` waits for a lock; the caller awaits it. */
  async function settlesUnblocked(a: Actor, work: Promise<unknown>): Promise<boolean> {
    let settled = false;
    const settle = () => (settled = true);
    work.then(settle, settle);
    const blockedFirst = await eventually(
      async () => (settled ? false : (await isBlocked(a)) ? true : undefined),
      15_000,
      `${a.name} settling or waiting for a lock`,
    );
    return !blockedFirst;
  }

  const isBlocked = async (a: Actor) =>
    (
      await sql.query(
        `SELECT 1 FROM pg_stat_activity
          WHERE datname = current_database() AND application_name = $1 AND wait_event_type = 'Lock'`,
        [a.name],
      )
    ).rows.length > 0;

  /** A connection holding `lockSql`'s row locks until `open()` commits or `abort()` rolls back. */
  async function gate(lockSql: string, params: unknown[]) {
    const client = await sql.connect();
    await client.query('BEGIN');
    await client.query(lockSql, params);
    const pid = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
    const end = async (how: 'COMMIT' | 'ROLLBACK') => {
      await client.query(how);
      client.release();
    };
    return {
      pid,
      /** Runs a statement inside the gate's transaction. */
      query: (text: string, values: unknown[]) => client.query(text, values),
      open: () => end('COMMIT'),
      abort: () => end('ROLLBACK'),
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
    merchantName: 'Noodle Bar',
    pickupAddress: '88 Huaihai Rd',
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
    setup.store.setOnline(riderId, new Date(Date.now() + 3_600_000), now(), false);
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

  it('a cancellation whose order moved to another offer while it waited locks that offer first, not after the order', async () => {
    const cancelling = actor('cancel-2');
    await addOrder('lo-4-o');
    await addRider('lo-4-first');
    await addRider('lo-4-second');
    const first = randomUUID();
    const second = randomUUID();
    expect(await claim(setup, 'lo-4-first', ['lo-4-o'], first)).toBe(true);

    // The first rider is answering (the first offer locked) when the cancellation looks for the
    // order's offer.
    const answering = await gate('SELECT 1 FROM offers WHERE offer_id = $1 FOR UPDATE', [first]);
    const cancel = cancelling.store.applyOrderEvent(
      { consumer: 'rider-dispatch', eventId: randomUUID() },
      facts('lo-4-o', 'CANCELLED', 3),
    );
    await blocked(cancelling);
    // Meanwhile the order is offered to the second rider (decline and the next round condensed
    // into one transaction), whose accept then has the new offer locked and goes for its orders.
    const reoffer = await sql.connect();
    await reoffer.query('BEGIN');
    await reoffer.query(
      `INSERT INTO offers (offer_id, rider_id, order_ids, zone, status, pickup_lat, pickup_lng,
                           planned_pickup_at, created_at, expires_at, replica_id)
       SELECT $1, 'lo-4-second', ARRAY['lo-4-o'], zone, 'pending', pickup_lat, pickup_lng,
              now(), now(), now() + interval '30 seconds', 'test'
         FROM offers WHERE offer_id = $2`,
      [second, first],
    );
    await reoffer.query(
      `UPDATE dispatch_orders SET offer_id = $1, rider_id = 'lo-4-second', sequence = 0 WHERE order_id = 'lo-4-o'`,
      [second],
    );
    await reoffer.query(`UPDATE riders SET status = 'offered' WHERE rider_id = 'lo-4-second'`);
    await reoffer.query('COMMIT');
    reoffer.release();
    const accepting = await gate('SELECT 1 FROM offers WHERE offer_id = $1 FOR UPDATE', [second]);
    await answering.query(`UPDATE offers SET status = 'declined', responded_at = now() WHERE offer_id = $1`, [
      first,
    ]);
    await answering.query(`UPDATE riders SET status = 'idle' WHERE rider_id = 'lo-4-first'`, []);
    await answering.open();
    await blockedBy(cancelling, accepting.pid); // the new offer, which it must lock before the order
    // Holding the order while it waits for the offer would close a cycle with the accept here.
    const orderLock = await accepting
      .query('SELECT 1 FROM dispatch_orders WHERE order_id = $1 FOR UPDATE', ['lo-4-o'])
      .then(
        () => 'locked',
        (error: unknown) => (error as { code?: string }).code,
      );
    await (orderLock === 'locked' ? accepting.open() : accepting.abort());

    expect(orderLock).toBe('locked');
    expect(await cancel).toBe('cancel');
    expect(cancelling.failures).not.toContain(DEADLOCK);
    expect(await row('dispatch_orders', 'order_id', 'lo-4-o')).toMatchObject({ state: 'cancelled' });
    expect(await row('offers', 'offer_id', second)).toMatchObject({ status: 'withdrawn' });
    expect(await row('riders', 'rider_id', 'lo-4-second')).toMatchObject({ status: 'idle' });
  });

  it('a rider going offline while a round offers them orders declines that offer', async () => {
    const round = actor('round-5');
    const leaving = actor('offline-5');
    await addOrder('lo-5-o');
    await addRider('lo-5-rider');
    const offerId = randomUUID();
    // The claim waits at its insert of the offer (the gate holds an uncommitted row of that id)
    // with the order and the rider locked: going offline finds no offer, then waits for the rider.
    const insert = await gate(
      `INSERT INTO offers (offer_id, rider_id, order_ids, zone, status, pickup_lat, pickup_lng,
                           planned_pickup_at, created_at, expires_at, replica_id)
       VALUES ($1, 'lo-5-nobody', ARRAY['lo-5-x'], $2, 'pending', 0, 0, now(), now(), now(), 'test')`,
      [offerId, ZONE],
    );
    const claimed = claim(round, 'lo-5-rider', ['lo-5-o'], offerId);
    await blocked(round);
    const offline = leaving.store.setOffline('lo-5-rider', now(), new Date(Date.now() + 600_000));
    await blocked(leaving);
    await insert.abort();

    expect(await claimed).toBe(true);
    expect(await offline).toEqual({ ok: true, value: { online: false, status: 'idle' } });
    expect(await row('offers', 'offer_id', offerId)).toMatchObject({ status: 'declined' });
    expect(await row('dispatch_orders', 'order_id', 'lo-5-o')).toMatchObject({
      state: 'waiting',
      offer_id: null,
    });
    expect(await row('riders', 'rider_id', 'lo-5-rider')).toMatchObject({ online: false, status: 'idle' });
  });

  it('a stale claim and the rider accepting an offer of the same orders do not deadlock, however the offer lies in the table', async () => {
    const first = actor('claim-6', '-c enable_indexscan=off -c enable_bitmapscan=off');
    const stale = actor('stale-claim-6');
    const accepting = actor('accept-6');
    const ids = ['lo-6-a', 'lo-6-b', 'lo-6-c'];
    // Inserted c, b, a: the claim making offer X rewrites them in table order, so their new
    // versions lie c, b, a too (as any history of updates can leave them).
    for (const id of [...ids].reverse()) await addOrder(id);
    await addRider('lo-6-rider-1');
    await addRider('lo-6-rider-2');
    const x = randomUUID();
    expect(await claim(first, 'lo-6-rider-1', ids, x)).toBe(true);
    const { rows } = await sql.query<{ order_id: string }>(
      'SELECT order_id FROM dispatch_orders WHERE offer_id = $1 ORDER BY ctid',
      [x],
    );
    expect(rows.map((r) => r.order_id)).toEqual([...ids].reverse()); // the premise

    const middle = await gate('SELECT 1 FROM dispatch_orders WHERE order_id = $1 FOR UPDATE', ['lo-6-b']);
    // Another replica's round, planned from a snapshot taken before X: has a, waits for b.
    const staleClaim = claim(stale, 'lo-6-rider-2', ids);
    await blocked(stale);
    const accept = accepting.store.respondToOffer({
      offerId: x,
      riderId: 'lo-6-rider-1',
      accept: true,
      now: now(),
      declineUntil: new Date(Date.now() + 600_000),
      plan: undefined,
    });
    await blocked(accepting); // before: had X and c (the table order), waited for b
    await middle.open();
    const [claimed, accepted] = await Promise.all([staleClaim, accept]);

    expect([...stale.failures, ...accepting.failures]).not.toContain(DEADLOCK);
    expect(claimed).toBe(false);
    expect(accepted.ok && accepted.value.accepted).toBe(true);
    for (const id of ids)
      expect(await row('dispatch_orders', 'order_id', id)).toMatchObject({
        state: 'assigned',
        rider_id: 'lo-6-rider-1',
      });
  });

  it("the declines purge and a cancellation deleting the same order's declines do not deadlock", async () => {
    const purger = actor('purge-7');
    // A big declined table: the cancellation reads them by key.
    const cancelling = actor('cancel-7', '-c enable_seqscan=off -c enable_bitmapscan=off');
    await addOrder('lo-7-o');
    const past = (s: number) => new Date(Date.now() - s * 1_000);
    // Expired declines of one order, lying r2, r3, r1 (also in order of until).
    for (const [rider, s] of [
      ['lo-7-r2', 300],
      ['lo-7-r3', 200],
      ['lo-7-r1', 100],
    ] as const)
      await sql.query('INSERT INTO declined (order_id, rider_id, until) VALUES ($1, $2, $3)', [
        'lo-7-o',
        rider,
        past(s),
      ]);

    const r3 = await gate('SELECT 1 FROM declined WHERE order_id = $1 AND rider_id = $2 FOR UPDATE', [
      'lo-7-o',
      'lo-7-r3',
    ]);
    const purge = purger.store.purgeDeclines(now(), 100);
    // Before: deleted r2, waited for r3. It should pass over what others hold instead.
    const passedOver = await settlesUnblocked(purger, purge);
    const cancel = cancelling.store.applyOrderEvent(
      { consumer: 'rider-dispatch', eventId: randomUUID() },
      facts('lo-7-o', 'CANCELLED', 3),
    );
    await blocked(cancelling); // before: deleted r1 (key order), waited for r2
    await r3.open();
    const [purged, cancelled] = await Promise.all([purge, cancel]);

    expect([...purger.failures, ...cancelling.failures]).not.toContain(DEADLOCK);
    expect(passedOver).toBe(true);
    expect(purged).toBe(2);
    expect(cancelled).toBe('cancel');
    expect((await sql.query('SELECT 1 FROM declined WHERE order_id = $1', ['lo-7-o'])).rowCount).toBe(0);
  });

  it("two replicas recording the same riders' silence do not deadlock, whatever their plans read first", async () => {
    const byKey = actor('silence-by-index', '-c enable_seqscan=off -c enable_bitmapscan=off');
    const byTable = actor('silence-by-table', '-c enable_indexscan=off -c enable_bitmapscan=off');
    const ids = ['lo-8-a', 'lo-8-b', 'lo-8-c'];
    for (const id of [...ids].reverse()) await addRider(id); // table order c, b, a
    const since = new Date(Date.now() - 30_000);

    const middle = await gate('SELECT 1 FROM riders WHERE rider_id = $1 FOR UPDATE', ['lo-8-b']);
    const first = byTable.store.recordSilence([], ids, since); // before: had c, waited for b
    await blocked(byTable);
    const second = byKey.store.recordSilence([], ids, new Date()); // has a or waits for it
    await blocked(byKey);
    await middle.open();
    await Promise.all([first, second]);

    expect([...byKey.failures, ...byTable.failures]).not.toContain(DEADLOCK);
    for (const id of ids) expect(await row('riders', 'rider_id', id)).toMatchObject({ silent_since: since });
  });

  it('a claim for a rider who is no longer idle gives up without touching (or waiting for) the orders', async () => {
    const round = actor('round-9');
    await addOrder('lo-9-o');
    await addOrder('lo-9-other');
    await addRider('lo-9-rider');
    expect(await claim(setup, 'lo-9-rider', ['lo-9-other'])).toBe(true); // now offered

    // Another writer has the order (a cancellation, another replica's claim).
    const order = await gate('SELECT 1 FROM dispatch_orders WHERE order_id = $1 FOR UPDATE', ['lo-9-o']);
    const claimed = claim(round, 'lo-9-rider', ['lo-9-o']);
    const unblocked = await settlesUnblocked(round, claimed);
    await order.open();

    expect(unblocked).toBe(true);
    expect(await claimed).toBe(false);
    expect(await row('dispatch_orders', 'order_id', 'lo-9-o')).toMatchObject({ state: 'waiting' });
  });
});
