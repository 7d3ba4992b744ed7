import { fnv1a } from '@mealpeak/core';

export { fnv1a };

export const partitionOf = (key: string, partitions: number): number => fnv1a(key) % partitions;

/** First half of the two-int advisory lock key: one lock space per service schema. */
export const lockSpaceOf = (schema: string): number => fnv1a(`outbox:${schema}`) | 0;
