import { EVENTS, on, type ConsumerSettings, type ConsumedEvent, type TopicSpec } from '@mealpeak/kafka';
import type { Logger } from '@mealpeak/telemetry';
import type { OrderUseCases } from '../app/use-cases.ts';
import type { OrderCommand } from '../domain/commands.ts';
import type { Actor } from '../domain/order.ts';

export const ORDER_CONSUMER = 'order';

/**
 * Applies dispatch's facts (rider assigned, picked up, delivered) to orders, once per event
 * (inbox claim in the same transaction). A fact the order can no longer take (it was cancelled
 * meanwhile) is a business outcome, logged and acknowledged, not a poison message.
 */
export function dispatchConsumerSettings(
  useCases: OrderUseCases,
  dispatchEvents: TopicSpec,
  logger: Logger,
): Pick<ConsumerSettings, 'groupId' | 'topics' | 'handlers'> {
  const apply = async (
    event: ConsumedEvent<unknown>,
    orderId: string,
    command: OrderCommand,
    actor: Actor,
  ) => {
    const result = await useCases.transition(orderId, command, actor, {
      consumer: ORDER_CONSUMER,
      eventId: event.eventId,
    });
    if (!result.ok) {
      logger.warn(
        { orderId, eventId: event.eventId, eventType: event.type, code: result.error.code },
        'dispatch event not applicable to the order',
      );
    }
  };
  return {
    groupId: ORDER_CONSUMER,
    topics: [dispatchEvents],
    handlers: [
      on(EVENTS.riderAssigned, (e) =>
        apply(
          e,
          e.payload.orderId,
          { kind: 'ASSIGN_RIDER', riderId: e.payload.riderId },
          { role: 'system', id: 'dispatch' },
        ),
      ),
      on(EVENTS.orderPickedUp, (e) =>
        apply(e, e.payload.orderId, { kind: 'PICK_UP' }, { role: 'rider', id: e.payload.riderId }),
      ),
      on(EVENTS.orderDelivered, (e) =>
        apply(e, e.payload.orderId, { kind: 'DELIVER' }, { role: 'rider', id: e.payload.riderId }),
      ),
    ],
  };
}
