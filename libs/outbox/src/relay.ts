import pg from 'pg';
import { setTimeout as sleep } from 'node:timers/promises';
import { metrics } from '@opentelemetry/api';
import type { Envelope, EventProducer } from '@mealpeak/kafka';
import type { Logger } from '@mealpeak/telemetry';
import type { OutboxSettings } from './enqueue.ts';
import { lockSpaceOf } from './partition.ts';

export interface RelaySettings extends OutboxSettings {
  /** Connection URL; the relay opens its own connection (advisory locks live in a session). */
  url: string;
  producer: EventProducer;
  /** Service name written into the envelopes. */
  producerName: string;
  logger: Logger;
  batchSize?: number;
  /** How long to wait after finding nothing to publish (the added delivery latency when idle). */
  pollIntervalMs?: number;
  /**
   * How often a replica rebalances: takes partitions nobody holds (a dead replica's) up to its
   * share, and gives back what is above its share once more relays are live.
   */
  claimIntervalMs?: number;
}

export interface OutboxRelay {
  start(): Promise<void>;
  /** Finishes the batch in hand, releases its partitions and closes its connection. */
  stop(): Promise<void>;
  /** Partitions this replica currently relays. */
  owned(): readonly number[];
}

interface OutboxRow {
  id: string;
  topic: string;
  key: string;
  event_id: string;
  event_type: string;
  schema_version: number;
  payload: Buffer;
  traceparent: string;
  tracestate: string;
  occurred_at: Date;
}

const meter = metrics.getMeter('@mealpeak/outbox');
const relayLag = meter.createHistogram('mealpeak.outbox.relay_lag', {
  unit: 's',
  description: 'Time from a state change to its event being acknowledged by Kafka',
});

/** Second half of the advisory key every live relay holds in shared mode (partitions are >= 0). */
const PRESENCE = -1;

/**
 * How often a relay recounts the live relays (pg_locks). Reading pg_locks takes every lock-manager
 * partition lock, which every transaction's locking goes through, so not every claim cycle: a
 * relay that joins or dies shifts the shares within this, while free partitions are claimed every
 * claimIntervalMs.
 */
const LIVE_COUNT_INTERVAL_MS = 5_000;

/**
 * The application_name of the relays of one outbox (dashboards, pg_stat_activity). The schema is
 * part of it: services (and tests) may keep several outboxes in one database.
 */
export const relayApplicationName = (producerName: string, schema: string) =>
  `${producerName}-outbox-relay:${schema}`;

/**
 * This relay's share of the partitions: `partitions` spread over the live relays, the first
 * `partitions % live` of them (by backend pid) taking one more, so the shares add up exactly.
 */
export function shareOf(partitions: number, livePids: readonly number[], ownPid: number): number {
  const pids = livePids.includes(ownPid) ? livePids : [...livePids, ownPid];
  const sorted = [...pids].sort((a, b) => a - b);
  const rank = sorted.indexOf(ownPid);
  return Math.floor(partitions / sorted.length) + (rank < partitions % sorted.length ? 1 : 0);
}

/**
 * Publishes committed outbox rows to Kafka, at least once, in commit order per key.
 *
 * The outbox is split into partitions by hash(key). A replica relays a partition only while it
 * holds that partition's session-level advisory lock, so per-key order survives any number of
 * replicas. Every relay also holds a shared "presence" lock, so each can count the live relays
 * in pg_locks (every LIVE_COUNT_INTERVAL_MS: that read is not free) and keep to its share
 * (shareOf): the first replica up no longer keeps every partition, and one that joins gets its
 * share within seconds. The lock, not the session's name, says who is a relay: a pooled or
 * borrowed session with the same application_name holds no lock (DISCARD ALL releases advisory
 * locks), so it cannot take a share nobody serves. A partition is given back only between
 * batches, after its rows were published and deleted, so the next owner starts where this one
 * stopped. When a replica dies its connection closes, PostgreSQL drops its locks (presence
 * included), and at the next count the others' shares grow and they claim those partitions: a
 * pause of seconds, and at most the in-flight batch is published twice (consumers dedupe on the
 * event id).
 *
 * A cycle is two statements, no transaction (the lock already makes this relay the only reader
 * of its partitions): read the oldest rows of every owned partition in id order, publish, delete.
 * The backlog gauges are not read here but by startOutboxStats (stats.ts), so a relay that fails
 * every cycle does not freeze them.
 */
export function createOutboxRelay(settings: RelaySettings): OutboxRelay {
  const batchSize = settings.batchSize ?? 500;
  const pollMs = settings.pollIntervalMs ?? 25;
  const claimMs = settings.claimIntervalMs ?? 1_000;
  const space = lockSpaceOf(settings.schema);
  const log = settings.logger.child({ component: 'outbox-relay' });
  const owned = new Set<number>();
  let client: pg.Client | undefined;
  /** Backend pid of `client`'s session: this relay's rank among the live ones. */
  let ownPid = 0;
  /** The live relays' pids at the last count, and when that was (ms since the epoch). */
  let live: { pids: number[]; at: number } = { pids: [], at: 0 };
  let running = false;
  let loop: Promise<void> | undefined;

  /** Backend pids of the sessions holding this outbox's presence lock: the live relays. */
  async function liveRelays(c: pg.Client): Promise<number[]> {
    if (live.pids.length > 0 && Date.now() - live.at < LIVE_COUNT_INTERVAL_MS) return live.pids;
    // pg_locks shows a two-int advisory key as classid/objid (unsigned) with objsubid 2.
    const { rows } = await c.query<{ pid: number }>({
      name: 'outbox.live-relays',
      text: `SELECT pid FROM pg_locks
         WHERE locktype = 'advisory' AND granted AND objsubid = 2
           AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
           AND classid = $1::bigint::oid AND objid = $2::bigint::oid`,
      values: [space >>> 0, PRESENCE >>> 0],
    });
    live = { pids: rows.map((r) => r.pid), at: Date.now() };
    return live.pids;
  }

  /** Gives back what is above this relay's share, then claims free partitions up to it. */
  async function balancePartitions(c: pg.Client): Promise<void> {
    const share = shareOf(settings.partitions, await liveRelays(c), ownPid);
    for (const p of [...owned].sort((a, b) => b - a)) {
      if (owned.size <= share) break;
      await c.query('SELECT pg_advisory_unlock($1, $2)', [space, p]);
      owned.delete(p);
      log.info({ partition: p, share }, 'gave outbox partition back to another relay');
    }
    for (let p = 0; p < settings.partitions && owned.size < share; p++) {
      if (owned.has(p)) continue;
      const { rows } = await c.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1, $2) AS ok', [
        space,
        p,
      ]);
      if (rows[0]?.ok) {
        owned.add(p);
        log.info({ partition: p }, 'relaying outbox partition');
      }
    }
  }

  /** Publishes the oldest rows of the owned partitions; returns how many it relayed. */
  async function relayBatch(c: pg.Client): Promise<number> {
    if (owned.size === 0) return 0;
    // Named statements: this pair runs dozens of times a second, planned once per connection.
    const { rows } = await c.query<OutboxRow>({
      name: 'outbox.next-batch',
      text: `SELECT id, topic, key, event_id, event_type, schema_version, payload, traceparent, tracestate, occurred_at
         FROM outbox WHERE partition = ANY($1::smallint[]) ORDER BY id LIMIT $2`,
      values: [[...owned], batchSize],
    });
    if (rows.length === 0) return 0;
    // One send per topic, rows in id order: kafkajs keeps per-key order inside a send.
    const byTopic = new Map<string, Envelope[]>();
    for (const r of rows) {
      const list = byTopic.get(r.topic) ?? [];
      list.push({
        eventId: r.event_id,
        type: r.event_type,
        schemaVersion: r.schema_version,
        occurredAt: r.occurred_at,
        traceparent: r.traceparent,
        tracestate: r.tracestate,
        key: r.key,
        producer: settings.producerName,
        payload: r.payload,
      });
      byTopic.set(r.topic, list);
    }
    for (const [topic, envelopes] of byTopic) await settings.producer.publishEnvelopes(topic, envelopes);
    await c.query({
      name: 'outbox.delete-published',
      text: 'DELETE FROM outbox WHERE id = ANY($1::bigint[])',
      values: [rows.map((r) => r.id)],
    });
    const now = Date.now();
    for (const r of rows)
      relayLag.record((now - r.occurred_at.getTime()) / 1000, { schema: settings.schema });
    return rows.length;
  }

  async function connect(): Promise<pg.Client> {
    const c = new pg.Client({
      connectionString: settings.url,
      application_name: relayApplicationName(settings.producerName, settings.schema),
      // Detect a dead peer so locks are not held by a half-open connection for long.
      keepAlive: true,
      keepAliveInitialDelayMillis: 5_000,
      // Asynchronous commit: this session's only writes delete rows already published. A delete
      // lost to a server crash publishes its rows again, which at-least-once allows and consumers
      // absorb; not waiting for the WAL flush saves a sync per batch on the hot path.
      options: `-c search_path=${settings.schema},public -c synchronous_commit=off`,
    });
    await c.connect();
    c.on('error', (err) => log.warn({ err }, 'relay connection error'));
    // Shared: never waits, and every live relay holds it at once.
    const { rows } = await c.query<{ pid: number }>(
      'SELECT pg_advisory_lock_shared($1, $2), pg_backend_pid() AS pid',
      [space, PRESENCE],
    );
    ownPid = rows[0]!.pid;
    live = { pids: [], at: 0 }; // a new session: count again
    return c;
  }

  async function run(): Promise<void> {
    let backoff = pollMs;
    let lastClaim = 0;
    while (running) {
      try {
        client ??= await connect();
        if (Date.now() - lastClaim >= claimMs) {
          await balancePartitions(client);
          lastClaim = Date.now();
        }
        const relayed = await relayBatch(client);
        backoff = pollMs;
        // A full batch means more is waiting: go again at once; otherwise wait a little.
        if (relayed < batchSize && running) await sleep(pollMs);
      } catch (error) {
        // Kafka or PostgreSQL is away: keep the rows, back off, and (for a broken connection)
        // reconnect; our locks died with it, so partitions are claimed afresh.
        log.warn({ err: error, backoffMs: backoff }, 'outbox relay cycle failed; retrying');
        if (client) {
          const broken = await client.query('SELECT 1').then(
            () => false,
            () => true,
          );
          if (broken) {
            owned.clear();
            await client.end().catch(() => undefined);
            client = undefined;
            lastClaim = 0;
          }
        }
        await sleep(backoff);
        backoff = Math.min(backoff * 2, 10_000);
      }
    }
  }

  return {
    owned: () => [...owned].sort((a, b) => a - b),
    async start() {
      running = true;
      client = await connect();
      loop = run();
    },
    async stop() {
      running = false;
      await loop;
      if (client) {
        await client.query('SELECT pg_advisory_unlock_all()').catch(() => undefined);
        await client.end().catch(() => undefined);
        client = undefined;
      }
      owned.clear();
    },
  };
}
