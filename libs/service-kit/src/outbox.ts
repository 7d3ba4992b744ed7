import type { EventProducer } from '@mealpeak/kafka';
import { createOutbox, createOutboxRelay, type Outbox } from '@mealpeak/outbox';
import type { BootContext } from '@mealpeak/runtime';
import type { DatabaseConfig } from './database.ts';

export interface OutboxConfig extends DatabaseConfig {
  readonly OUTBOX_PARTITIONS: number;
  readonly OUTBOX_BATCH_SIZE?: number;
  readonly OUTBOX_RELAY_ENABLED?: boolean;
}

/**
 * The service's outbox and, unless OUTBOX_RELAY_ENABLED is false (another deployment relays),
 * its relay to the event bus; the relay stops at shutdown, before the producer disconnects.
 */
export async function startOutbox(
  ctx: BootContext<OutboxConfig>,
  service: string,
  producer: EventProducer,
): Promise<Outbox> {
  const { config, logger, lifecycle } = ctx;
  const settings = { schema: config.PG_SCHEMA, partitions: config.OUTBOX_PARTITIONS };
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
