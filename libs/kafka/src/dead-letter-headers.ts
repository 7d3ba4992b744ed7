import type { RawMessage } from './message-processor.ts';

/** Headers a dead letter gets on top of the original's (read back by dead-letters.ts). */
export const DLQ_HEADERS = {
  originalTopic: 'dlq-original-topic',
  originalPartition: 'dlq-original-partition',
  originalOffset: 'dlq-original-offset',
  consumerGroup: 'dlq-consumer-group',
  reason: 'dlq-reason',
  failedAt: 'dlq-failed-at',
} as const;

export const deadLetterHeaders = (
  m: RawMessage,
  group: string,
  reason: string,
): Record<string, string | Buffer> => ({
  ...(Object.fromEntries(Object.entries(m.headers).filter(([, v]) => v !== undefined)) as Record<
    string,
    string | Buffer
  >),
  [DLQ_HEADERS.originalTopic]: m.topic,
  [DLQ_HEADERS.originalPartition]: String(m.partition),
  [DLQ_HEADERS.originalOffset]: m.offset,
  [DLQ_HEADERS.consumerGroup]: group,
  [DLQ_HEADERS.reason]: reason.slice(0, 1000),
  [DLQ_HEADERS.failedAt]: new Date().toISOString(),
});
