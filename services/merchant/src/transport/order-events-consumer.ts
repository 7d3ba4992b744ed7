import { EVENTS, PoisonMessageError, on, type HandlerBinding } from '@mealpeak/kafka';
import type { Logger } from '@mealpeak/telemetry';
import { snapshotOf } from '../app/order-snapshot.ts';
import type { UseCases } from '../app/use-cases.ts';

/**
 * order.events.v1 -> the same use case the merchant's own commands feed. Delivery is at least
 * once; the use case claims the event id in its inbox inside the transaction of its effects.
 */
export function orderEventHandlers(uc: UseCases, logger: Logger): HandlerBinding[] {
  const log = logger.child({ component: 'order-events' });
  return [
    on(EVENTS.orderStateChanged, async (event) => {
      const { order, toState } = event.payload;
      if (!order?.id || !order.merchantId)
        throw new PoisonMessageError(`OrderStateChanged ${event.eventId} carries no order snapshot`);
      const snapshot = snapshotOf(order, toState);
      // A state newer than this code: nothing of ours depends on it yet, so skip it rather than
      // dead-letter every such event.
      if (!snapshot) {
        log.warn({ eventId: event.eventId, toState }, 'skipping an order state this version does not know');
        return;
      }
      await uc.applyOrderEvent({ eventId: event.eventId, snapshot, reason: event.payload.reason });
    }),
  ];
}
