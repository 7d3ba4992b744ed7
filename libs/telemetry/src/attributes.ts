/**
 * Every custom span and metric attribute name used in the platform, in one place (house style).
 * Standard names come from @opentelemetry/semantic-conventions; these are ours.
 */
export const Attr = {
  ORDER_ID: 'mealpeak.order.id',
  ORDER_STATE: 'mealpeak.order.state',
  MERCHANT_ID: 'mealpeak.merchant.id',
  RIDER_ID: 'mealpeak.rider.id',
  ZONE_ID: 'mealpeak.zone.id',
  EVENT_ID: 'mealpeak.event.id',
  EVENT_TYPE: 'mealpeak.event.type',
  ERROR_CODE: 'mealpeak.error.code',
  DISPATCH_STRATEGY: 'mealpeak.dispatch.strategy',
  /** Why a rider's position ping was not taken as is: stale, out_of_order, implausible (ADR 0018). */
  POSITION_REJECT_REASON: 'mealpeak.position.reject_reason',
  /** Whether that ping still became the rider's position (an implausible one under RIDER_POSITION_CHECK=flag). */
  POSITION_USED: 'mealpeak.position.used',
  /**
   * Why the gateway's admission control refused a request: in_flight, event_loop_delay,
   * event_loop_utilization, heap (503 OVERLOADED), client_concurrency (429 CONCURRENCY_LIMITED),
   * rate_limit (429 RATE_LIMITED).
   */
  ADMISSION_REASON: 'mealpeak.admission.reason',
  /** The priority of a request refused by admission control: critical, normal, sheddable (ADR 0020). */
  ADMISSION_PRIORITY: 'mealpeak.admission.priority',
  // Semantic-convention messaging names, kept here so the Kafka wrapper and dashboards agree.
  MESSAGING_SYSTEM: 'messaging.system',
  MESSAGING_DESTINATION: 'messaging.destination.name',
  MESSAGING_OPERATION: 'messaging.operation.type',
  MESSAGING_CONSUMER_GROUP: 'messaging.consumer.group.name',
  MESSAGING_PARTITION: 'messaging.destination.partition.id',
  MESSAGING_BATCH_SIZE: 'messaging.batch.message_count',
  RPC_SYSTEM: 'rpc.system',
  RPC_SERVICE: 'rpc.service',
  RPC_METHOD: 'rpc.method',
  RPC_GRPC_STATUS_CODE: 'rpc.grpc.status_code',
} as const;

/** Metric names (Prometheus renders dots as underscores). */
export const Metric = {
  RPC_SERVER_DURATION: 'rpc.server.duration',
  RPC_CLIENT_DURATION: 'rpc.client.duration',
  HTTP_SERVER_DURATION: 'http.server.request.duration',
  KAFKA_CONSUMED: 'mealpeak.kafka.messages.consumed',
  KAFKA_DEAD_LETTERED: 'mealpeak.kafka.messages.dead_lettered',
  KAFKA_DUPLICATES: 'mealpeak.kafka.messages.duplicates',
  KAFKA_PUBLISHED: 'mealpeak.kafka.messages.published',
  OUTBOX_PENDING: 'mealpeak.outbox.pending',
  OUTBOX_OLDEST_AGE: 'mealpeak.outbox.oldest_age',
} as const;
