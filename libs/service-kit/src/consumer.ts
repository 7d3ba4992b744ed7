import type { ConsumerSettings, EventBus, EventConsumer } from '@mealpeak/kafka';
import type { BootContext } from '@mealpeak/runtime';

export interface ConsumerConfig {
  readonly KAFKA_TOPIC_PREFIX: string;
}

/**
 * Starts the service's event consumer on the bus and stops it at shutdown (finish the message in
 * hand, commit, leave the group). The group id is prefixed like the topics, so environments
 * sharing a cluster never share offsets.
 */
export async function startConsumer(
  ctx: BootContext<ConsumerConfig>,
  bus: EventBus,
  settings: Omit<ConsumerSettings, 'logger'>,
): Promise<EventConsumer> {
  const { config, logger, lifecycle } = ctx;
  const consumer = bus.consumer({
    ...settings,
    groupId: `${config.KAFKA_TOPIC_PREFIX}${settings.groupId}`,
    logger,
  });
  await consumer.start();
  lifecycle.onShutdown('event consumer', () => consumer.stop());
  return consumer;
}
