import { EVENTS, PoisonMessageError, on, type ConsumedEvent, type HandlerBinding } from '@mealpeak/kafka';
import type { OrderStateChanged } from '@mealpeak/contracts/order.v1';
import type { Logger } from '@mealpeak/telemetry';
import type { OrderEvent } from '../app/order-events.ts';
import { snapshotOf } from '../app/order-snapshot.ts';
import type { UseCases } from '../app/use-cases.ts';

/**
 * order.events.v1 -> the same use case the merchant's own commands feed. Delivery is at least
 * once; the use case claims the event id in its inbox inside the transaction of its effects.
 * Runs of events arrive together (one Kafka fetch); consecutive PLACED ones share one statement.
 */
export function orderEventHandlers(uc: UseCases, logger: Logger): HandlerBinding[] {
  const log = logger.child({ component: 'order-events' });
  /** The use case's view of an event; undefined for a state this code does not know yet. */
  const toOrderEvent = (event: ConsumedEvent<OrderStateChanged>): OrderEvent | undefined => {
    const { order, toState, fromState } = event.payload;
    if (!order?.id || !order.merchantId)
      throw new PoisonMessageError(`OrderStateChanged ${event.eventId} carries no order snapshot`);
    const snapshot = snapshotOf(order, toState, fromState);
    // A state newer than this code: nothing of ours depends on it yet, so skip it rather than
    // dead-letter every such event.
    if (!snapshot) {
      log.warn({ eventId: event.eventId, toState }, 'skipping an order state this version does not know');
      return undefined;
    }
    return { eventId: event.eventId, snapshot, reason: event.payload.reason };
  };
  return [
    on(
      EVENTS.orderStateChanged,
      async (event) => {
        const orderEvent = toOrderEvent(event);
        if (orderEvent) await uc.applyOrderEvent(orderEvent);
      },
      // A poison event among them fails the batch: each is then handled alone, and only it is
      // dead-lettered.
      async (events) => {
        await uc.applyOrderEvents(events.flatMap((e) => toOrderEvent(e) ?? []));
      },
    ),
  ];
}
