import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MAX_PARTITIONS_PER_TOPIC } from './consumer.ts';
import { ALL_TOPICS } from './registry.ts';

const doc = readFileSync(new URL('../../../docs/kafka.md', import.meta.url), 'utf8');

describe('topic registry', () => {
  it.each(ALL_TOPICS.map((t) => [t.name, t] as const))(
    '%s is documented with its key, events and partitions',
    (name, topic) => {
      const row = doc.split('\n').find((line) => line.startsWith(`| \`${name}\``));
      expect(row, `docs/kafka.md has a row for ${name}`).toBeDefined();
      const cells = row!.split('|').map((c) => c.trim());
      expect(cells[2]).toBe(topic.key);
      for (const event of topic.events) expect(cells[3]).toContain(`\`${event.name}\``);
      expect(cells[6]).toBe(String(topic.partitions));
    },
  );

  it('has unique topic names and event types', () => {
    const names = ALL_TOPICS.map((t) => t.name);
    expect(new Set(names).size).toBe(names.length);
    const types = ALL_TOPICS.flatMap((t) => t.events.map((e) => e.name));
    expect(new Set(types).size).toBe(types.length);
  });

  it('has no topic with more partitions than the consumer fetch is sized for', () => {
    // The fetch's total limit gives each partition its 64 KiB only up to MAX_PARTITIONS_PER_TOPIC;
    // beyond it the partitions kafkajs lists last would starve behind a backlog on the first ones.
    for (const topic of ALL_TOPICS) expect(topic.partitions).toBeLessThanOrEqual(MAX_PARTITIONS_PER_TOPIC);
  });
});
