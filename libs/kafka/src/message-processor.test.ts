import { describe, expect, it } from 'vitest';
import { TransientFailure } from '@mealpeak/core';
import { TestEvent } from '@mealpeak/contracts/testing.v1';
import { createLogger } from '@mealpeak/telemetry';
import { buildEnvelope, encodeEnvelope } from './envelope.ts';
import { defineEvent } from './event-type.ts';
import { createMessageProcessor, on, type HandlerBinding, type RawMessage } from './message-processor.ts';

const batched = defineEvent('mealpeak.testing.v1.TestEvent', 1, TestEvent);
const single = defineEvent('mealpeak.testing.v1.OtherEvent', 1, TestEvent);
const logger = createLogger({ service: 't', level: 'silent' });

let offset = 0;
function message(type: typeof batched, body: string): RawMessage {
  const envelope = buildEnvelope({ type, key: 'k', payload: { id: 'k', body } }, 'svc');
  return {
    topic: 't',
    partition: 0,
    offset: String(offset++),
    key: Buffer.from('k'),
    value: encodeEnvelope(envelope),
    headers: {},
    timestamp: String(Date.now()),
  };
}
const garbage = (): RawMessage => ({ ...message(batched, 'x'), value: Buffer.from([0xff, 0xff, 0xff]) });

/** Runs `messages` through the processor and records every call and every committed offset. */
async function run(messages: RawMessage[], bindings: (log: string[]) => HandlerBinding[], maxBatch?: number) {
  const log: string[] = [];
  const handled: string[] = [];
  const deadLetters: string[] = [];
  const processor = createMessageProcessor(
    {
      groupId: 'g',
      topics: ['t'],
      logger,
      handlers: bindings(log),
      maxAttempts: 2,
      initialBackoffMs: 1,
      ...(maxBatch ? { maxBatch } : {}),
    },
    async (m, reason) => void deadLetters.push(`${m.offset}: ${reason.split(':')[0]}`),
  );
  await processor.batch(
    messages,
    async () => undefined,
    async (o) => void handled.push(o),
  );
  return { log, handled, deadLetters };
}

describe('message processor, batches', () => {
  it('hands consecutive events of a batch type over together, in order, around the others', async () => {
    offset = 0;
    const messages = [
      message(batched, 'a'),
      message(batched, 'b'),
      message(single, 'c'),
      message(batched, 'd'),
      garbage(),
      message(batched, 'e'),
      message(batched, 'f'),
      message(batched, 'g'),
    ];
    const { log, handled, deadLetters } = await run(
      messages,
      (log) => [
        on(
          batched,
          async (e) => void log.push(`one ${e.payload.body}`),
          async (events) => void log.push(`batch ${events.map((e) => e.payload.body).join('')}`),
        ),
        on(single, async (e) => void log.push(`one ${e.payload.body}`)),
      ],
      2,
    );
    expect(log).toEqual(['batch ab', 'one c', 'batch d', 'batch ef', 'batch g']);
    expect(deadLetters).toEqual(['4: undecodable envelope']);
    // Offsets move forward only, and the last one is committed.
    expect(handled.map(Number)).toEqual([...handled.map(Number)].sort((a, b) => a - b));
    expect(handled.at(-1)).toBe('7');
    expect(handled).toContain('4');
  });

  it('falls back to one-by-one handling when a batch fails: retries, then dead letters', async () => {
    offset = 0;
    const messages = [message(batched, 'ok'), message(batched, 'poison'), message(batched, 'after')];
    const { log, handled, deadLetters } = await run(messages, (log) => [
      on(
        batched,
        async (e) => {
          log.push(`one ${e.payload.body}`);
          if (e.payload.body === 'poison') throw new Error('bad');
        },
        async (events) => {
          log.push(`batch ${events.length}`);
          throw new Error('one of them is bad');
        },
      ),
    ]);
    expect(log).toEqual(['batch 3', 'one ok', 'one poison', 'one poison', 'one after']);
    expect(deadLetters).toEqual(['1: handler failed after 2 attempt(s)']);
    expect(handled.at(-1)).toBe('2');
  });

  it('stops starting new work when told to, committing what it finished', async () => {
    offset = 0;
    const messages = [message(single, 'a'), message(single, 'b'), message(single, 'c')];
    const log: string[] = [];
    const handled: string[] = [];
    const processor = createMessageProcessor(
      {
        groupId: 'g',
        topics: ['t'],
        logger,
        handlers: [on(single, async (e) => void log.push(e.payload.body))],
      },
      async () => undefined,
    );
    await processor.batch(
      messages,
      async () => undefined,
      async (o) => void handled.push(o),
      () => log.length < 2,
    );
    expect(log).toEqual(['a', 'b']);
    expect(handled).toEqual(['0', '1']);
  });

  it('retries past maxAttempts while a dependency is away, instead of dead-lettering', async () => {
    offset = 0;
    const messages = [message(single, 'a'), message(single, 'b')];
    let failuresLeft = 6; // three times maxAttempts
    const pgDown = () =>
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    const { log, handled, deadLetters } = await run(messages, (log) => [
      on(single, async (e) => {
        log.push(e.payload.body);
        if (e.payload.body === 'a' && failuresLeft-- > 0)
          throw failuresLeft % 2 ? pgDown() : new TransientFailure('x');
      }),
    ]);
    expect(deadLetters).toEqual([]);
    expect(log).toEqual(['a', 'a', 'a', 'a', 'a', 'a', 'a', 'b']);
    expect(handled).toEqual(['0', '1']);
  });

  it('counts transient failures after all once an event has failed for maxTransientMs', async () => {
    offset = 0;
    const deadLetters: string[] = [];
    const handled: string[] = [];
    const processor = createMessageProcessor(
      {
        groupId: 'g',
        topics: ['t'],
        logger,
        maxAttempts: 2,
        maxTransientMs: 30,
        initialBackoffMs: 5,
        maxBackoffMs: 5,
        // A query that always times out: classified transient, but it never goes through.
        handlers: [
          on(single, async () =>
            Promise.reject(
              Object.assign(new Error('canceling statement due to statement timeout'), { code: '57014' }),
            ),
          ),
        ],
      },
      async (m, reason) => void deadLetters.push(`${m.offset}: ${reason.split(':')[0]}`),
    );
    await processor.batch(
      [message(single, 'x'), message(single, 'y')],
      async () => undefined,
      async (o) => void handled.push(o),
    );
    expect(deadLetters.map((d) => d.split(' ')[0])).toEqual(['0:', '1:']);
    expect(handled).toEqual(['0', '1']);
  });

  it('gives up a transient retry when the consumer stops, committing nothing from there on', async () => {
    offset = 0;
    const messages = [message(batched, 'a'), message(batched, 'b'), message(single, 'c')];
    const log: string[] = [];
    const handled: string[] = [];
    const deadLetters: string[] = [];
    let stopping = false;
    const processor = createMessageProcessor(
      {
        groupId: 'g',
        topics: ['t'],
        logger,
        maxAttempts: 2,
        initialBackoffMs: 1,
        handlers: [
          on(
            batched,
            async (e) => {
              log.push(`one ${e.payload.body}`);
              if (e.payload.body === 'b') {
                if (log.length > 5) stopping = true;
                throw new TransientFailure('order service unavailable');
              }
            },
            async () => {
              log.push('batch');
              throw new TransientFailure('database away');
            },
          ),
          on(single, async (e) => void log.push(`one ${e.payload.body}`)),
        ],
      },
      async (m) => void deadLetters.push(m.offset),
    );
    await processor.batch(
      messages,
      async () => undefined,
      async (o) => void handled.push(o),
      () => !stopping,
    );
    expect(deadLetters).toEqual([]);
    // 'a' went through on its own, 'b' kept failing until the stop; 'c' was never started.
    expect(log.slice(0, 3)).toEqual(['batch', 'one a', 'one b']);
    expect(log).not.toContain('one c');
    expect(handled).toEqual(['0']);
  });
});
