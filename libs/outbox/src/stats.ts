import { metrics, type BatchObservableCallback } from '@opentelemetry/api';
import type { Queryable } from '@mealpeak/db';
import { Metric, type Logger } from '@mealpeak/telemetry';

export interface OutboxStatsSettings {
  /**
   * The service's pool (its search_path on the schema), not the relay's connection: the figures
   * must keep coming while the relay cannot publish or has lost its connection, and from
   * replicas that do not relay at all (OUTBOX_RELAY_ENABLED=false).
   */
  db: Queryable;
  schema: string;
  logger: Logger;
  /** Default 10 s: a count over the outbox per replica, cheap next to the alert's 30 s. */
  intervalMs?: number;
}

export interface OutboxStats {
  /** Reads the figures now (startOutboxStats reads them at once, then every interval). */
  refresh(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The outbox backlog gauges (mealpeak.outbox.pending, .oldest_age), read on their own schedule on
 * every replica that has the outbox. They used to be read by the relay after each successful
 * batch, so the replica failing to publish, the one whose figures matter, kept reporting the
 * last healthy ones (0) through a Kafka outage and MealpeakOutboxStalled never fired.
 *
 * When the database cannot be read either, the last count stands and the oldest row's age keeps
 * growing from the last reading: nothing can be published meanwhile, and a frozen age would hide
 * the stall again.
 */
export function startOutboxStats(settings: OutboxStatsSettings): OutboxStats {
  const intervalMs = settings.intervalMs ?? 10_000;
  const log = settings.logger.child({ component: 'outbox-stats' });
  // Taken here, not at import, so the meter is the provider's in force when the service starts.
  const meter = metrics.getMeter('@mealpeak/outbox');
  const pending = meter.createObservableGauge(Metric.OUTBOX_PENDING, {
    description: 'Outbox rows not yet published',
  });
  const oldest = meter.createObservableGauge(Metric.OUTBOX_OLDEST_AGE, {
    unit: 's',
    description: 'Age of the oldest unpublished row',
  });
  let last = { pending: 0, oldestAge: 0, readAt: Date.now() };
  const observe: BatchObservableCallback = (observer) => {
    const age = last.pending > 0 ? last.oldestAge + (Date.now() - last.readAt) / 1000 : 0;
    observer.observe(pending, last.pending, { schema: settings.schema });
    observer.observe(oldest, age, { schema: settings.schema });
  };
  meter.addBatchObservableCallback(observe, [pending, oldest]);

  async function refresh(): Promise<void> {
    const { rows } = await settings.db.query<{ n: string; age: number | null }>(
      'SELECT count(*) AS n, extract(epoch FROM now() - min(created_at))::float8 AS age FROM outbox',
    );
    last = { pending: Number(rows[0]?.n ?? 0), oldestAge: rows[0]?.age ?? 0, readAt: Date.now() };
  }

  let running = true;
  let timer: NodeJS.Timeout | undefined;
  let current: Promise<void> = Promise.resolve();
  const tick = () => {
    current = refresh()
      .catch((error: unknown) => log.warn({ err: error }, 'outbox stats not read; retrying'))
      .finally(() => {
        if (running) timer = setTimeout(tick, intervalMs).unref();
      });
  };
  tick();

  return {
    refresh,
    async stop() {
      running = false;
      clearTimeout(timer);
      await current;
      meter.removeBatchObservableCallback(observe, [pending, oldest]);
    },
  };
}
