import { setTimeout as sleep } from 'node:timers/promises';
import type { ConsumerSettings, EventBus, EventConsumer } from '@mealpeak/kafka';
import type { BootContext } from '@mealpeak/runtime';

/**
 * Longest start-up waits for the group join: the consumer's rebalanceTimeout, past which the
 * broker completes the rebalance without the members that have not rejoined. Kafka away or a
 * group stuck must not keep the service's gRPC side unready for ever: the join goes on after.
 */
export const JOIN_WAIT_MS = 30_000;

export interface ConsumerConfig {
  readonly KAFKA_TOPIC_PREFIX: string;
}

/**
 * Starts the service's event consumer on the bus and stops it at shutdown (finish the message in
 * hand, commit, leave the group). The group id is prefixed like the topics, so environments
 * sharing a cluster never share offsets. Returns once the consumer joined its group (or after
 * `joinWaitMs`), so the service turns ready only then: each pod of a rollout then waits for its
 * rebalance to finish before Kubernetes stops the next old one, instead of chaining rebalances.
 */
export async function startConsumer(
  ctx: BootContext<ConsumerConfig>,
  bus: EventBus,
  settings: Omit<ConsumerSettings, 'logger'>,
  joinWaitMs = JOIN_WAIT_MS,
): Promise<EventConsumer> {
  const { config, logger, lifecycle } = ctx;
  const consumer = bus.consumer({
    ...settings,
    groupId: `${config.KAFKA_TOPIC_PREFIX}${settings.groupId}`,
    logger,
  });
  await consumer.start();
  lifecycle.onShutdown('event consumer', () => consumer.stop());
  const timeout = new AbortController();
  const joined = await Promise.race([
    consumer.joined().then(() => true),
    sleep(joinWaitMs, false, { signal: timeout.signal }).catch(() => false),
  ]);
  timeout.abort();
  if (!joined)
    logger.warn(
      { groupId: settings.groupId, waitedMs: joinWaitMs },
      'consumer has not joined its group yet; turning ready anyway, the join goes on',
    );
  return consumer;
}
