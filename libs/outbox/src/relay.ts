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
  /** How often a replica tries to take partitions nobody holds (a dead replica's). */
  claimIntervalMs?: number;
  /** Cap on partitions one replica owns (default all): lower it to spread relays over replicas. */
  maxPartitions?: number;
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

/**
 * Publishes committed outbox rows to Kafka, at least once, in commit order per key.
 *
 * The outbox is split into partitions by hash(key). A replica relays a partition only while it
 * holds that partition's session-level advisory lock, so per-key order survives any number of
 * replicas. When a replica dies its connection closes, PostgreSQL drops its locks, and another
 * replica claims those partitions within `claimIntervalMs`: no stall, and at most the in-flight
 * batch is published twice (consumers dedupe on the event id).
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
  const maxOwned = settings.maxPartitions ?? settings.partitions;
  const space = lockSpaceOf(settings.schema);
  const log = settings.logger.child({ component: 'outbox-relay' });
  const owned = new Set<number>();
  let client: pg.Client | undefined;
  let running = false;
  let loop: Promise<void> | undefined;

  async function claimPartitions(c: pg.Client): Promise<void> {
    for (let p = 0; p < settings.partitions && owned.size < maxOwned; p++) {
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
      application_name: `${settings.producerName}-outbox-relay`,
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
    return c;
  }

  async function run(): Promise<void> {
    let backoff = pollMs;
    let lastClaim = 0;
    while (running) {
      try {
        client ??= await connect();
        if (Date.now() - lastClaim >= claimMs) {
          await claimPartitions(client);
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
