import { OrderStateChanged, RefundRequested } from '@mealpeak/contracts/order.v1';
import { MerchantStatusChanged } from '@mealpeak/contracts/merchant.v1';
import { OrderDelivered, OrderPickedUp, RiderAssigned } from '@mealpeak/contracts/dispatch.v1';
import { defineEvent, type TopicSpec } from './event-type.ts';

/**
 * Every event type and topic of the platform: the one registry (documented in docs/kafka.md).
 * Partition counts are at least the maximum replica count of any consumer group on the topic
 * (deploy/ autoscaling limits), so every replica at peak owns at least one partition.
 */
export const EVENTS = {
  orderStateChanged: defineEvent('mealpeak.order.v1.OrderStateChanged', 1, OrderStateChanged),
  refundRequested: defineEvent('mealpeak.order.v1.RefundRequested', 1, RefundRequested),
  merchantStatusChanged: defineEvent('mealpeak.merchant.v1.MerchantStatusChanged', 1, MerchantStatusChanged),
  riderAssigned: defineEvent('mealpeak.dispatch.v1.RiderAssigned', 1, RiderAssigned),
  orderPickedUp: defineEvent('mealpeak.dispatch.v1.OrderPickedUp', 1, OrderPickedUp),
  orderDelivered: defineEvent('mealpeak.dispatch.v1.OrderDelivered', 1, OrderDelivered),
} as const;

export const TOPICS = {
  orderEvents: {
    name: 'order.events.v1',
    partitions: 24,
    key: 'order id',
    events: [EVENTS.orderStateChanged, EVENTS.refundRequested],
    producers: ['order'],
    consumers: ['merchant', 'rider-dispatch'],
  },
  merchantEvents: {
    name: 'merchant.events.v1',
    partitions: 6,
    key: 'merchant id',
    events: [EVENTS.merchantStatusChanged],
    producers: ['merchant'],
    consumers: [],
  },
  dispatchEvents: {
    name: 'dispatch.events.v1',
    partitions: 24,
    key: 'order id',
    events: [EVENTS.riderAssigned, EVENTS.orderPickedUp, EVENTS.orderDelivered],
    producers: ['rider-dispatch'],
    consumers: ['order'],
  },
} as const satisfies Record<string, TopicSpec>;

export const ALL_TOPICS: readonly TopicSpec[] = Object.values(TOPICS);

/**
 * The registry with every topic name prefixed (KAFKA_TOPIC_PREFIX): lets environments share a
 * cluster (`staging.`) and gives each integration test its own topics.
 */
export function prefixTopics<T extends Record<string, TopicSpec>>(topics: T, prefix: string): T {
  if (!prefix) return topics;
  return Object.fromEntries(
    Object.entries(topics).map(([k, t]) => [k, { ...t, name: `${prefix}${t.name}` }]),
  ) as T;
}

export type Topics = typeof TOPICS;

/**
 * Whether a topic's messages are keyed by order id, so the key can label spans with
 * mealpeak.order.id. By name, prefix or not (KAFKA_TOPIC_PREFIX): the outbox relay only knows the
 * name stored with the row.
 */
export function isKeyedByOrderId(topic: TopicSpec | string): boolean {
  if (typeof topic !== 'string') return topic.key === 'order id';
  return ALL_TOPICS.some((t) => t.key === 'order id' && topic.endsWith(t.name));
}
