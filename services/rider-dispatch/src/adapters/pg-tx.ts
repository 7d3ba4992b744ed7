import { setTimeout as delay } from 'node:timers/promises';
import type { CodedError } from '@mealpeak/core';
import { withTransaction, type Pool, type PoolClient } from '@mealpeak/db';
import { EVENTS, type TopicSpec } from '@mealpeak/kafka';
import type { Outbox, OutboxEvent } from '@mealpeak/outbox';
import { HandoverVerdict, type HandoverCheck as HandoverCheckProto } from '@mealpeak/contracts/dispatch.v1';
import type { HandoverCheck } from '../domain/delivery/handover.ts';
import type { DispatchFact } from '../domain/delivery/model.ts';

/** Signals "roll back and return this error" out of withTransaction. */
export class Abort extends Error {
  readonly error: CodedError | undefined;
  constructor(error?: CodedError) {
    super(error?.code ?? 'abort');
    this.error = error;
  }
}

/** Deadlocks and serialization failures: withTransaction runs the (idempotent) callback again. */
export const TX = { retries: 3 } as const;

/**
 * Thrown when a row that must be locked before the one in hand turned out to have changed
 * meanwhile (an order re-offered, a rider given an offer): the transaction rolls back, freeing
 * what it locked, and runs again, instead of taking that lock out of order
 * (docs/dispatch-service.md#lock-order).
 */
export class LockRace extends Error {
  /** Another attempt later meets other rows (isTransientFailure in @mealpeak/core). */
  readonly transient = true;
  constructor(what: string) {
    super(`lock order: ${what} changed before it was locked`);
  }
}

/** Attempts of inLockOrder before its LockRace goes to the caller. */
export const LOCK_RACE_ATTEMPTS = 5;

/**
 * withTransaction that runs `work` again (a few times, a few random milliseconds apart so two
 * racing writers fall out of step) after a LockRace. Past the last attempt the LockRace itself
 * is thrown: it is transient, so the gRPC server answers UNAVAILABLE (a 503 with Retry-After at
 * the gateway) and the Kafka consumer retries the event without counting it towards the dead
 * letters.
 */
export async function inLockOrder<T>(pool: Pool, work: (tx: PoolClient) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await withTransaction(pool, work, TX);
    } catch (error) {
      if (!(error instanceof LockRace) || attempt >= LOCK_RACE_ATTEMPTS) throw error;
      await delay(Math.random() * 5 * attempt);
    }
  }
}

/**
 * Locks the orders still offered in these offers, in order_id order (after the offers, before
 * any rider: docs/dispatch-service.md#lock-order). Every writer that changes an offer's orders
 * calls this first: an UPDATE … WHERE offer_id alone locks them in the order its plan reads them
 * (as the table lies), the opposite of a claim locking the same orders by id.
 */
export async function lockOfferOrders(tx: PoolClient, offerIds: readonly string[]): Promise<void> {
  await tx.query(
    `SELECT 1 FROM dispatch_orders WHERE offer_id = ANY($1::uuid[]) AND state = 'offered'
      ORDER BY order_id FOR UPDATE`,
    [offerIds],
  );
}

/**
 * Locks these riders in rider_id order as the database sorts it (its collation, the order the
 * primary key index and every other ORDER BY rider_id give): never sorted in JavaScript, whose
 * string order is not the collation's.
 */
export async function lockRiders(tx: PoolClient, riderIds: readonly string[]): Promise<void> {
  await tx.query('SELECT 1 FROM riders WHERE rider_id = ANY($1::text[]) ORDER BY rider_id FOR UPDATE', [
    riderIds,
  ]);
}

function eventOf(fact: DispatchFact, at: Date): OutboxEvent<unknown> {
  switch (fact.kind) {
    case 'rider_assigned':
      return {
        type: EVENTS.riderAssigned,
        key: fact.orderId,
        occurredAt: at,
        payload: {
          orderId: fact.orderId,
          riderId: fact.riderId,
          offerId: fact.offerId,
          sequence: fact.sequence,
          etaPickup: fact.etaPickup,
          assignedAt: fact.assignedAt,
        },
      };
    case 'picked_up':
    case 'delivered':
      return {
        type: fact.kind === 'picked_up' ? EVENTS.orderPickedUp : EVENTS.orderDelivered,
        key: fact.orderId,
        occurredAt: at,
        payload: {
          orderId: fact.orderId,
          riderId: fact.riderId,
          handover: fact.handover && handoverToProto(fact.handover),
        },
      };
  }
}

const VERDICTS = {
  near: HandoverVerdict.HANDOVER_VERDICT_NEAR,
  far: HandoverVerdict.HANDOVER_VERDICT_FAR,
  unverified: HandoverVerdict.HANDOVER_VERDICT_UNVERIFIED,
} as const;

function handoverToProto(check: HandoverCheck): HandoverCheckProto {
  return { verdict: VERDICTS[check.verdict], distanceM: check.distanceM, fixAgeS: check.fixAgeS };
}

/** Transaction steps several store operations share. */
export function txHelpers(outbox: Outbox, dispatchEvents: TopicSpec) {
  return {
    /** Facts go out through the outbox, so they are published if and only if the change commits. */
    async publish(tx: PoolClient, facts: readonly DispatchFact[], at: Date): Promise<void> {
      await outbox.enqueue(
        tx,
        dispatchEvents,
        facts.map((f) => eventOf(f, at)),
      );
    },

    /**
     * Orders of an offer that is no longer pending go back to waiting; with `declineUntil` the
     * rider is recorded so the next rounds offer those orders to someone else.
     */
    async returnOfferOrders(
      tx: PoolClient,
      offerId: string,
      riderId: string,
      now: Date,
      declineUntil: Date | undefined,
    ): Promise<void> {
      const { rows } = await tx.query<{ order_id: string }>(
        `UPDATE dispatch_orders SET state = 'waiting', rider_id = NULL, offer_id = NULL, sequence = NULL, updated_at = $2
          WHERE offer_id = $1 AND state = 'offered' RETURNING order_id`,
        [offerId, now],
      );
      if (declineUntil && rows.length > 0) {
        await tx.query(
          `INSERT INTO declined (order_id, rider_id, until) SELECT unnest($1::text[]), $2, $3
           ON CONFLICT (order_id, rider_id) DO UPDATE SET until = EXCLUDED.until`,
          [rows.map((r) => r.order_id), riderId, declineUntil],
        );
      }
    },

    /**
     * After a rider's work changed: with nothing left in the bag and no pending offer the rider is
     * idle again, or offline if they asked to be while delivering. Silence is only watched while a
     * rider holds orders, so it is forgotten here.
     */
    async settleRider(tx: PoolClient, riderId: string, now: Date): Promise<void> {
      await tx.query(
        `UPDATE riders SET status = 'idle', busy_until = NULL, free_lat = NULL, free_lng = NULL, silent_since = NULL,
                online = online AND NOT offline_requested, offline_requested = false, updated_at = $2
          WHERE rider_id = $1
            AND NOT EXISTS (SELECT 1 FROM dispatch_orders
                             WHERE rider_id = $1 AND state IN ('assigned', 'picked_up'))
            AND NOT EXISTS (SELECT 1 FROM offers WHERE rider_id = $1 AND status = 'pending')`,
        [riderId, now],
      );
    },
  };
}

export type TxHelpers = ReturnType<typeof txHelpers>;
