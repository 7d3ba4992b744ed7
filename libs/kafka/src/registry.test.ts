import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
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
});
