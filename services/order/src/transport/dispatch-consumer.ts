import { EVENTS, on, type ConsumerSettings, type ConsumedEvent, type TopicSpec } from '@mealpeak/kafka';
import { metrics, type Logger } from '@mealpeak/telemetry';
import type { OrderUseCases } from '../app/use-cases.ts';
import { HandoverVerdict as HandoverVerdictProto, type HandoverCheck } from '@mealpeak/contracts/dispatch.v1';
import type { DispatchFact, HandoverVerdict } from '../domain/dispatch-facts.ts';

export const ORDER_CONSUMER = 'order';

/**
 * Dispatch facts the order could not take, by fact and code. PICK_UP with ILLEGAL_TRANSITION on a
 * cancelled order is the race docs/operations.md#a-rider-picked-up-a-cancelled-order describes:
 * the customer cancelled while the rider was taking the food.
 */
export const OrderMetric = {
  DISPATCH_FACTS_REFUSED: 'mealpeak.order.dispatch_facts.refused',
} as const;

export const OrderAttr = {
  FACT: 'mealpeak.order.fact',
  REFUSAL: 'mealpeak.order.refusal',
} as const;

const refusedFacts = metrics.getMeter('@mealpeak/order').createCounter(OrderMetric.DISPATCH_FACTS_REFUSED, {
  description:
    'Dispatch facts (assignment, pickup, delivery) the order could no longer take, by fact and code',
});

const VERDICTS: Partial<Record<HandoverVerdictProto, HandoverVerdict>> = {
  [HandoverVerdictProto.HANDOVER_VERDICT_NEAR]: 'NEAR',
  [HandoverVerdictProto.HANDOVER_VERDICT_FAR]: 'FAR',
  [HandoverVerdictProto.HANDOVER_VERDICT_UNVERIFIED]: 'UNVERIFIED',
};

/** Absent (dispatch made no check, or an older dispatch release) and unknown values: no verdict. */
const verdictOf = (check: HandoverCheck | undefined): HandoverVerdict | undefined =>
  check ? VERDICTS[check.verdict] : undefined;

/**
 * Applies dispatch's facts (rider assigned, picked up, delivered) to orders, once per event
 * (inbox claim in the same transaction). A fact ahead of the order (a replay brought the delivery
 * before the pickup) is applied with the steps it implies (docs/kafka.md#facts-ahead-of-the-order).
 * A fact the order can no longer take (it was cancelled meanwhile) is a business outcome, logged
 * and acknowledged, not a poison message. So is an assignment older than the order's current one
 * (a replay after dispatch gave the order to another rider, ADR 0013): expected, so only info.
 */
export function dispatchConsumerSettings(
  useCases: OrderUseCases,
  dispatchEvents: TopicSpec,
  logger: Logger,
): Pick<ConsumerSettings, 'groupId' | 'topics' | 'handlers'> {
  const apply = async (event: ConsumedEvent<unknown>, orderId: string, fact: DispatchFact) => {
    const result = await useCases.applyDispatchFact(orderId, fact, {
      consumer: ORDER_CONSUMER,
      eventId: event.eventId,
    });
    if (result.ok) return;
    const context = { orderId, eventId: event.eventId, eventType: event.type, code: result.error.code };
    refusedFacts.add(1, { [OrderAttr.FACT]: fact.kind, [OrderAttr.REFUSAL]: result.error.code });
    if (result.error.code === 'STALE_RIDER_ASSIGNMENT')
      logger.info({ ...context, detail: result.error.message }, 'stale rider assignment ignored');
    else
      logger.warn(
        { ...context, riderId: fact.riderId, detail: result.error.message },
        'dispatch event not applicable to the order',
      );
  };
  return {
    groupId: ORDER_CONSUMER,
    topics: [dispatchEvents],
    handlers: [
      on(EVENTS.riderAssigned, (e) =>
        apply(e, e.payload.orderId, {
          kind: 'ASSIGN_RIDER',
          riderId: e.payload.riderId,
          assignedAt: e.payload.assignedAt,
        }),
      ),
      on(EVENTS.orderPickedUp, (e) =>
        apply(e, e.payload.orderId, {
          kind: 'PICK_UP',
          riderId: e.payload.riderId,
          handover: verdictOf(e.payload.handover),
        }),
      ),
      on(EVENTS.orderDelivered, (e) =>
        apply(e, e.payload.orderId, {
          kind: 'DELIVER',
          riderId: e.payload.riderId,
          handover: verdictOf(e.payload.handover),
        }),
      ),
    ],
  };
}
