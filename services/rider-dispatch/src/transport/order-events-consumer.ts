import { EVENTS, PoisonMessageError, on, type ConsumerSettings, type TopicSpec } from '@mealpeak/kafka';
import type { Logger } from '@mealpeak/telemetry';
import type { DispatchUseCases } from '../app.ts';
import { ORDER_EVENTS_CONSUMER } from '../app/order-events.ts';
import { orderFactsFromEvent } from './proto-mapping.ts';

/**
 * order.events.v1 -> dispatch's order view, each event applied once (inbox claim in the same
 * transaction as the effect). The group id is this consumer's name; main.ts prefixes it like the
 * topics (KAFKA_TOPIC_PREFIX).
 */
export function orderEventsConsumerSettings(
  useCases: DispatchUseCases,
  orderEvents: TopicSpec,
  logger: Logger,
): Pick<ConsumerSettings, 'groupId' | 'topics' | 'handlers'> {
  return {
    groupId: ORDER_EVENTS_CONSUMER,
    topics: [orderEvents],
    handlers: [
      on(EVENTS.orderStateChanged, async (e) => {
        const facts = orderFactsFromEvent(e.payload);
        if (typeof facts === 'string') throw new PoisonMessageError(facts);
        const action = await useCases.applyOrderStateChanged(e.eventId, facts);
        logger.debug({ orderId: facts.orderId, toState: facts.toState, action }, 'order event applied');
      }),
    ],
  };
}
