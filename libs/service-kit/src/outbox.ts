import type { EventProducer } from '@mealpeak/kafka';
import type { Queryable } from '@mealpeak/db';
import { createOutbox, createOutboxRelay, startOutboxStats, type Outbox } from '@mealpeak/outbox';
import type { BootContext } from '@mealpeak/runtime';
import type { DatabaseConfig } from './database.ts';

export interface OutboxConfig extends DatabaseConfig {
  readonly OUTBOX_PARTITIONS: number;
  readonly OUTBOX_BATCH_SIZE?: number;
  readonly OUTBOX_RELAY_ENABLED?: boolean;
}

/**
 * The service's outbox, its backlog gauges and, unless OUTBOX_RELAY_ENABLED is false (another
 * deployment relays), its relay to the event bus; the relay stops at shutdown, before the
 * producer disconnects. The gauges are read through `db` (the service's pool) on every replica,
 * relaying or not, and whether or not the relay manages to publish (docs/operations.md,
 * MealpeakOutboxStalled).
 */
export async function startOutbox(
  ctx: BootContext<OutboxConfig>,
  service: string,
  producer: EventProducer,
  db: Queryable,
): Promise<Outbox> {
  const { config, logger, lifecycle } = ctx;
  const settings = { schema: config.PG_SCHEMA, partitions: config.OUTBOX_PARTITIONS };
  const stats = startOutboxStats({ db, schema: config.PG_SCHEMA, logger });
  lifecycle.onShutdown('outbox stats', () => stats.stop());
  if (config.OUTBOX_RELAY_ENABLED ?? true) {
    const relay = createOutboxRelay({
      ...settings,
      url: config.PG_URL,
      producer,
      producerName: service,
      logger,
      ...(config.OUTBOX_BATCH_SIZE ? { batchSize: config.OUTBOX_BATCH_SIZE } : {}),
    });
    await relay.start();
    lifecycle.onShutdown('outbox relay', () => relay.stop());
  }
  return createOutbox(settings);
}
