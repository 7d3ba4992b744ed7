import { err, ok, type CodedError, type Result } from '@mealpeak/core';
import { withTransaction, type Pool, type PoolClient } from '@mealpeak/db';
import { EVENTS, type TopicSpec } from '@mealpeak/kafka';
import { claimEvent, type Outbox, type OutboxEvent } from '@mealpeak/outbox';
import type { Decide, EventClaim, OrderFilter, OrderPage, OrderStore } from '../app/ports.ts';
import type { Decision } from '../domain/order-state.ts';
import { OrderErrors } from '../domain/errors.ts';
import { ORDER_STATES, type Order, type OrderState, type StateChange } from '../domain/order.ts';
import { FINISHED_STATES, LIVE_STATES } from '../domain/state-counts.ts';
import { actorToProto, orderToProto, stateToProto } from '../mapping/proto.ts';
import {
  ORDER_COLUMNS,
  orderParams,
  rowToChange,
  rowToOrder,
  type OrderRow,
  type TimelineRow,
} from './order-rows.ts';
import { decodeCursor, encodeCursor } from './cursor.ts';

const PLACEHOLDERS = ORDER_COLUMNS.split(',')
  .map((_, i) => `$${i + 1}`)
  .join(', ');

/** Signals "roll back and return this error" out of withTransaction. */
class Abort extends Error {
  readonly error: CodedError;
  constructor(error: CodedError) {
    super(error.code);
    this.error = error;
  }
}

/** The events one decision publishes: a snapshot per state change, and a refund when due. */
function eventsOf(before: Order, decision: Decision): OutboxEvent<unknown>[] {
  const events: OutboxEvent<unknown>[] = decision.changes.map((change, i) => ({
    type: EVENTS.orderStateChanged,
    key: before.id,
    occurredAt: change.at,
    payload: {
      order: orderToProto({ ...decision.order, state: change.to, version: before.version + i + 1 }),
      fromState: change.from ? stateToProto(change.from) : 0,
      toState: stateToProto(change.to),
      actor: actorToProto(change.actor),
      reason: change.reason ?? '',
    },
  }));
  if (decision.refund) {
    events.push({
      type: EVENTS.refundRequested,
      key: before.id,
      occurredAt: decision.order.updatedAt,
      payload: decision.refund,
    });
  }
  return events;
}

/**
 * Orders per state as two index reads sized by the live orders (plus entries vacuum has not
 * removed yet) and by the window, instead of the whole history: live orders through
 * orders_state (orders_merchant_active for one merchant), finished ones placed since `since`
 * through orders_finished_recent (orders_merchant_recent). Migration 0006; docs/api.md.
 * Exported for the test that checks the plan (test/state-counts.int.test.ts).
 */
export function stateCountQuery(
  merchantId: string | undefined,
  since: Date,
): { text: string; values: unknown[] } {
  const merchant = merchantId ? 'AND merchant_id = $4' : '';
  return {
    text: `SELECT state, count(*) AS n FROM orders WHERE state = ANY($1::text[]) ${merchant} GROUP BY state
           UNION ALL
           SELECT state, count(*) AS n FROM orders
            WHERE state = ANY($2::text[]) AND placed_at >= $3 ${merchant} GROUP BY state`,
    values: [LIVE_STATES, FINISHED_STATES, since, ...(merchantId ? [merchantId] : [])],
  };
}

/** ACCEPTED orders past `readyBefore` (orders_accepted_ready); exported for the plan test. */
export function acceptedOverdueQuery(readyBefore: Date): { text: string; values: unknown[] } {
  return {
    text: `SELECT count(*) AS n, min(expected_ready_at) AS oldest FROM orders
            WHERE state = 'ACCEPTED' AND expected_ready_at < $1`,
    values: [readyBefore],
  };
}

export function createPgOrderStore(pool: Pool, outbox: Outbox, orderEvents: TopicSpec): OrderStore {
  async function appendTimeline(
    tx: PoolClient,
    orderId: string,
    changes: readonly StateChange[],
  ): Promise<void> {
    for (const c of changes) {
      await tx.query(
        `INSERT INTO order_timeline (order_id, seq, from_state, to_state, actor_role, actor_id, reason, at)
         SELECT $1, coalesce(max(seq), 0) + 1, $2, $3, $4, $5, $6, $7 FROM order_timeline WHERE order_id = $1`,
        [orderId, c.from ?? null, c.to, c.actor.role, c.actor.id, c.reason ?? null, c.at],
      );
    }
  }

  /** Persists a decision on a locked order: row, timeline and outbox in the caller's transaction. */
  async function persist(tx: PoolClient, before: Order, decision: Decision): Promise<void> {
    if (decision.order === before) return; // a repeat: nothing changed
    const o = decision.order;
    await tx.query(
      `UPDATE orders SET state = $2, updated_at = $3, expected_ready_at = $4, rider_id = $5, rider_assigned_at = $6,
                         reason = $7, version = $8
        WHERE id = $1`,
      [
        o.id,
        o.state,
        o.updatedAt,
        o.expectedReadyAt ?? null,
        o.riderId ?? null,
        o.riderAssignedAt ?? null,
        o.reason ?? null,
        o.version,
      ],
    );
    await appendTimeline(tx, o.id, decision.changes);
    await outbox.enqueue(tx, orderEvents, eventsOf(before, decision));
  }

  return {
    async get(id) {
      const { rows } = await pool.query<OrderRow>(`SELECT ${ORDER_COLUMNS} FROM orders WHERE id = $1`, [id]);
      return rows[0] ? rowToOrder(rows[0]) : undefined;
    },

    async list(
      filter: OrderFilter,
      pageSize: number,
      cursor: string | undefined,
    ): Promise<Result<OrderPage, CodedError>> {
      const where: string[] = [];
      const params: unknown[] = [];
      const add = (sql: string, value: unknown) => {
        params.push(value);
        where.push(sql.replace('?', `$${params.length}`));
      };
      if (filter.customerId) add('customer_id = ?', filter.customerId);
      if (filter.merchantId) add('merchant_id = ?', filter.merchantId);
      if (filter.states?.length) add('state = ANY(?)', filter.states);
      const oldestFirst = filter.oldestFirst === true;
      if (cursor !== undefined) {
        const c = decodeCursor(cursor);
        if (!c)
          return err(
            OrderErrors.invalid([{ field: 'pageToken', message: 'is not a token this service issued' }]),
          );
        if (c.oldestFirst !== oldestFirst)
          return err(
            OrderErrors.invalid([{ field: 'pageToken', message: 'continues a list sorted the other way' }]),
          );
        params.push(c.placedAt, c.id);
        where.push(`(placed_at, id) ${oldestFirst ? '>' : '<'} ($${params.length - 1}, $${params.length})`);
      }
      params.push(pageSize + 1);
      const direction = oldestFirst ? 'ASC' : 'DESC';
      const { rows } = await pool.query<OrderRow>(
        `SELECT ${ORDER_COLUMNS} FROM orders ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
          ORDER BY placed_at ${direction}, id ${direction} LIMIT $${params.length}`,
        params,
      );
      const orders = rows.slice(0, pageSize).map(rowToOrder);
      const last = orders.at(-1);
      return ok({
        orders,
        nextCursor: rows.length > pageSize && last ? encodeCursor(last, oldestFirst) : undefined,
      });
    },

    async timeline(id) {
      const { rows } = await pool.query<TimelineRow>(
        'SELECT from_state, to_state, actor_role, actor_id, reason, at FROM order_timeline WHERE order_id = $1 ORDER BY seq',
        [id],
      );
      return rows.map(rowToChange);
    },

    async countByState(merchantId, since) {
      const { rows } = await pool.query<{ state: OrderState; n: string }>(stateCountQuery(merchantId, since));
      const counts = new Map<OrderState, number>(ORDER_STATES.map((s) => [s, 0]));
      for (const r of rows) counts.set(r.state, Number(r.n));
      return counts;
    },

    async acceptedOverdue(readyBefore) {
      // orders_accepted_ready (migration 0006): only ACCEPTED rows, by expected_ready_at.
      const { rows } = await pool.query<{ n: string; oldest: Date | null }>(
        acceptedOverdueQuery(readyBefore),
      );
      return { count: Number(rows[0]?.n ?? 0), oldestReadyAt: rows[0]?.oldest ?? undefined };
    },

    async insertPlaced(order, change, storeBy) {
      // The hottest write of the platform, as ONE statement (atomic on its own, one round trip):
      // the order, its first timeline entry and its PLACED event, all only if the id is new.
      const params = orderParams(order);
      const events = eventsOf({ ...order, version: 0 }, { order, changes: [change], refund: undefined });
      const outboxInsert = outbox.insertStatement(
        orderEvents,
        events,
        params.length + 5,
        'EXISTS (SELECT 1 FROM o)',
      );
      // Named: prepared once per connection, so PostgreSQL parses and plans it only once.
      const { rows } = await pool.query<OrderRow>({
        name: 'orders.insert-placed',
        text: `WITH o AS (
           INSERT INTO orders (${ORDER_COLUMNS}) SELECT ${PLACEHOLDERS}
            WHERE $${params.length + 4}::timestamptz IS NULL OR now() < $${params.length + 4}::timestamptz
           ON CONFLICT (id) DO NOTHING
           RETURNING ${ORDER_COLUMNS}),
         t AS (
           INSERT INTO order_timeline (order_id, seq, from_state, to_state, actor_role, actor_id, reason, at)
           SELECT id, 1, NULL, $${params.length + 1}, $${params.length + 2}, $${params.length + 3}, NULL, placed_at FROM o),
         x AS (${outboxInsert.sql})
         SELECT ${ORDER_COLUMNS} FROM o`,
        values: [
          ...params,
          change.to,
          change.actor.role,
          change.actor.id,
          storeBy ?? null,
          ...outboxInsert.params,
        ],
      });
      if (rows[0]) return { order: rowToOrder(rows[0]), created: true };
      // A placement with the same id committed first: return what it stored. None: too late.
      const existing = await pool.query<OrderRow>(`SELECT ${ORDER_COLUMNS} FROM orders WHERE id = $1`, [
        order.id,
      ]);
      return existing.rows[0] ? { order: rowToOrder(existing.rows[0]), created: false } : 'too-late';
    },

    async mutate(
      id: string,
      decide: Decide,
      claim?: EventClaim,
    ): Promise<Result<Order | 'duplicate', CodedError>> {
      try {
        return await withTransaction(pool, async (tx) => {
          if (claim && !(await claimEvent(tx, claim.consumer, claim.eventId)))
            return ok('duplicate' as const);
          const { rows } = await tx.query<OrderRow>(
            `SELECT ${ORDER_COLUMNS} FROM orders WHERE id = $1 FOR UPDATE`,
            [id],
          );
          if (!rows[0]) throw new Abort(OrderErrors.notFound(id));
          const before = rowToOrder(rows[0]);
          const decision = decide(before);
          if (!decision.ok) throw new Abort(decision.error);
          await persist(tx, before, decision.value);
          return ok(decision.value.order);
        });
      } catch (e) {
        if (e instanceof Abort) return err(e.error);
        throw e;
      }
    },

    sweepOverdue(now, limit, decide) {
      return withTransaction(pool, async (tx) => {
        // SKIP LOCKED: every replica sweeps, none waits for or repeats another's rows.
        const { rows } = await tx.query<OrderRow>(
          `SELECT ${ORDER_COLUMNS} FROM orders WHERE state = 'PLACED' AND accept_by <= $1
            ORDER BY accept_by LIMIT $2 FOR UPDATE SKIP LOCKED`,
          [now, limit],
        );
        let changed = 0;
        for (const row of rows) {
          const before = rowToOrder(row);
          const decision = decide(before);
          if (!decision.ok) continue;
          await persist(tx, before, decision.value);
          changed++;
        }
        return changed;
      });
    },
  };
}
