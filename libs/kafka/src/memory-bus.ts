import { fnv1a } from '@mealpeak/core';
import type { Logger } from '@mealpeak/telemetry';
import { buildEnvelope, encodeEnvelope, type Envelope } from './envelope.ts';
import { deadLetterTopic, type TopicSpec } from './event-type.ts';
import type { EventBus } from './event-bus.ts';
import {
  createMessageProcessor,
  deadLetterHeaders,
  type ConsumerSettings,
  type EventConsumer,
  type RawMessage,
} from './message-processor.ts';
import type { EventProducer } from './producer.ts';

interface Partition {
  readonly messages: RawMessage[];
  readonly waiters: Set<() => void>;
}

interface Member {
  readonly id: number;
  assigned: string[]; // `${topic}#${partition}`
  wake: () => void;
}

interface Group {
  readonly committed: Map<string, number>;
  readonly members: Member[];
  readonly topics: Set<string>;
}

/**
 * Kafka's delivery semantics in one process, for the zero-setup local run (never for tests of
 * the real thing): topics split into partitions by hash(key), so one key keeps its order;
 * consumer groups share partitions among their members; an offset is committed only after its
 * message was processed (the same processor as the Kafka consumer: retries, dedupe, dead
 * letters); a consumer that stops and starts again resumes from its group's committed offset.
 * Nothing survives the process: it is an in-process stand-in, not a store.
 */
export function createMemoryBus(logger: Logger, defaultPartitions = 3): EventBus {
  const topics = new Map<string, Partition[]>();
  const groups = new Map<string, Group>();
  let nextMember = 0;

  const partitionsOf = (topic: string, count = defaultPartitions): Partition[] => {
    let parts = topics.get(topic);
    if (!parts) {
      parts = Array.from({ length: count }, () => ({ messages: [], waiters: new Set<() => void>() }));
      topics.set(topic, parts);
    }
    return parts;
  };

  function append(topic: string, message: Omit<RawMessage, 'topic' | 'partition' | 'offset'>): void {
    const parts = partitionsOf(topic);
    const partition = message.key ? fnv1a(message.key.toString('utf8')) % parts.length : 0;
    const part = parts[partition]!;
    part.messages.push({ ...message, topic, partition, offset: String(part.messages.length) });
    for (const wake of part.waiters) wake();
  }

  function rebalance(group: Group): void {
    const all = [...group.topics].flatMap((t) => partitionsOf(t).map((_, p) => `${t}#${p}`));
    for (const m of group.members) m.assigned = [];
    all.forEach((tp, i) => group.members[i % group.members.length]?.assigned.push(tp));
    for (const m of group.members) m.wake();
  }

  const producer = (name: string): EventProducer => {
    const publishEnvelopes = async (topicSpec: TopicSpec | string, envelopes: readonly Envelope[]) => {
      const topic = typeof topicSpec === 'string' ? topicSpec : topicSpec.name;
      for (const env of envelopes) {
        append(topic, {
          key: Buffer.from(env.key),
          value: encodeEnvelope(env),
          headers: { 'event-id': env.eventId, 'event-type': env.type, traceparent: env.traceparent },
          timestamp: String(Date.now()),
        });
      }
    };
    return {
      connect: async () => undefined,
      disconnect: async () => undefined,
      publishEnvelopes,
      publish: async (topicSpec, events) => {
        const envelopes = events.map((e) => buildEnvelope(e, name));
        await publishEnvelopes(topicSpec, envelopes);
        return envelopes.map((e) => e.eventId);
      },
    };
  };

  const consumer = (settings: ConsumerSettings): EventConsumer => {
    const processor = createMessageProcessor(settings, async (message, reason) => {
      append(deadLetterTopic(message.topic), {
        key: message.key,
        value: message.value,
        headers: deadLetterHeaders(message, settings.groupId, reason),
        timestamp: String(Date.now()),
      });
    });
    let running = false;
    let member: Member | undefined;
    const stopWaiters = new Set<() => void>();
    const loops = new Map<string, Promise<void>>();
    let resolveJoined!: () => void;
    const joined = new Promise<void>((resolve) => (resolveJoined = resolve));

    const group = (): Group => {
      let g = groups.get(settings.groupId);
      if (!g) {
        g = { committed: new Map(), members: [], topics: new Set() };
        groups.set(settings.groupId, g);
      }
      return g;
    };

    /** Works one partition, in order, while this member owns it. */
    async function work(tp: string): Promise<void> {
      const [topic, p] = [tp.slice(0, tp.lastIndexOf('#')), Number(tp.slice(tp.lastIndexOf('#') + 1))];
      const part = partitionsOf(topic)[p]!;
      const g = group();
      while (running && member?.assigned.includes(tp)) {
        const next = g.committed.get(tp) ?? 0;
        // Like a Kafka fetch: whatever is there, in order (batch handlers get runs of it).
        const available = part.messages.slice(next, next + 500);
        if (available.length > 0) {
          await processor.batch(
            available,
            async () => undefined,
            async (offset) => void g.committed.set(tp, Number(offset) + 1),
            () => running && member?.assigned.includes(tp) === true,
          );
          continue;
        }
        // Sleep until this partition gets a message, or a stop/rebalance wakes every loop.
        await new Promise<void>((resolve) => {
          const wake = () => {
            part.waiters.delete(wake);
            stopWaiters.delete(wake);
            resolve();
          };
          part.waiters.add(wake);
          stopWaiters.add(wake);
        });
      }
      loops.delete(tp);
    }

    function schedule(): void {
      for (const tp of member?.assigned ?? []) if (!loops.has(tp)) loops.set(tp, work(tp));
    }

    return {
      async start() {
        running = true;
        const g = group();
        for (const t of settings.topics) {
          const name = typeof t === 'string' ? t : t.name;
          partitionsOf(name, typeof t === 'string' ? defaultPartitions : t.partitions);
          g.topics.add(name);
        }
        member = {
          id: nextMember++,
          assigned: [],
          wake: () => {
            for (const w of [...stopWaiters]) w();
            schedule();
          },
        };
        g.members.push(member);
        rebalance(g);
        resolveJoined();
        logger
          .child({ component: 'memory-bus' })
          .info({ group: settings.groupId }, 'in-memory consumer started');
      },
      joined: () => joined,
      async stop() {
        running = false;
        const g = group();
        if (member) g.members.splice(g.members.indexOf(member), 1);
        for (const w of [...stopWaiters]) w();
        await Promise.all(loops.values());
        member = undefined;
        if (g.members.length) rebalance(g);
      },
    };
  };

  return {
    kind: 'memory',
    ensureTopics: async (specs) => {
      for (const t of specs) {
        partitionsOf(t.name, t.partitions);
        partitionsOf(deadLetterTopic(t.name), 1);
      }
    },
    producer,
    consumer,
  };
}
