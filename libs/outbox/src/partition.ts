/** FNV-1a 32-bit: stable across processes and languages, cheap, well spread for short ids. */
export function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

export const partitionOf = (key: string, partitions: number): number => fnv1a(key) % partitions;

/** First half of the two-int advisory lock key: one lock space per service schema. */
export const lockSpaceOf = (schema: string): number => fnv1a(`outbox:${schema}`) | 0;
