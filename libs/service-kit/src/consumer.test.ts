import { describe, expect, it } from 'vitest';
import type { EventBus, EventConsumer } from '@mealpeak/kafka';
import { createLifecycle } from '@mealpeak/runtime';
import { createLogger } from '@mealpeak/telemetry';
import { startConsumer } from './consumer.ts';

function harness() {
  const warnings: string[] = [];
  const logger = createLogger({
    service: 't',
    level: 'warn',
    destination: { write: (line: string) => void warnings.push(JSON.parse(line).msg) },
  });
  let join!: () => void;
  const joined = new Promise<void>((resolve) => (join = resolve));
  const consumer: EventConsumer = {
    start: async () => undefined,
    stop: async () => undefined,
    joined: () => joined,
  };
  const bus = { consumer: () => consumer } as unknown as EventBus;
  const ctx = {
    config: { KAFKA_TOPIC_PREFIX: '' },
    logger,
    lifecycle: createLifecycle({ logger, timeoutMs: 1_000 }),
  };
  const settings = { groupId: 'g', topics: [], handlers: [] };
  return { ctx, bus, settings, join, warnings };
}

describe('startConsumer', () => {
  it('returns only once the consumer joined its group, so the service turns ready after the join', async () => {
    const { ctx, bus, settings, join, warnings } = harness();
    let returned = false;
    const started = startConsumer(ctx, bus, settings, 60_000).then(() => (returned = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(returned).toBe(false);
    join();
    await started;
    expect(returned).toBe(true);
    expect(warnings).toEqual([]);
  });

  it('stops waiting for a join that does not come, and says so', async () => {
    const { ctx, bus, settings, warnings } = harness();
    await startConsumer(ctx, bus, settings, 20);
    expect(warnings).toEqual([
      'consumer has not joined its group yet; turning ready anyway, the join goes on',
    ]);
  });
});
