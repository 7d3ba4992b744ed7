import { describe, expect, it } from 'vitest';
import { createLogger } from '@mealpeak/telemetry';
import { createLifecycle } from './lifecycle.ts';

const logger = createLogger({ service: 't', level: 'silent' });

describe('lifecycle', () => {
  it('turns readiness off first, then runs steps in reverse order of registration, once', async () => {
    const lifecycle = createLifecycle({ logger, timeoutMs: 1_000 });
    const order: string[] = [];
    lifecycle.setReady(true);
    lifecycle.onShutdown('pool', async () => void order.push(`pool ready=${lifecycle.isReady()}`));
    lifecycle.onShutdown('consumer', async () => void order.push('consumer'));
    lifecycle.onShutdown('server', async () => void order.push('server'));
    await Promise.all([lifecycle.shutdown('test'), lifecycle.shutdown('again')]);
    expect(order).toEqual(['server', 'consumer', 'pool ready=false']);
    lifecycle.setReady(true);
    expect(lifecycle.isReady()).toBe(false);
  });

  it('tells readiness listeners before the drain delay, not after it', async () => {
    const lifecycle = createLifecycle({ logger, timeoutMs: 5_000, drainDelayMs: 300 });
    const seen: string[] = [];
    lifecycle.onReadinessLost(() => seen.push('readiness lost'));
    lifecycle.onShutdown('server', async () => void seen.push('server'));
    const done = lifecycle.shutdown('test');
    expect(seen).toEqual(['readiness lost']); // synchronously, the drain still to come
    await done;
    expect(seen).toEqual(['readiness lost', 'server']);
  });

  it('keeps going when one step fails', async () => {
    const lifecycle = createLifecycle({ logger, timeoutMs: 1_000 });
    const done: string[] = [];
    lifecycle.onShutdown('last', async () => void done.push('last'));
    lifecycle.onShutdown('broken', async () => {
      throw new Error('boom');
    });
    await lifecycle.shutdown('test');
    expect(done).toEqual(['last']);
  });

  it('tells ready listeners when start-up has finished, and not once shutdown began', async () => {
    const lifecycle = createLifecycle({ logger, timeoutMs: 1_000 });
    const seen: string[] = [];
    lifecycle.onReady(() => seen.push('early'));
    expect(seen).toEqual([]);
    lifecycle.setReady(true);
    lifecycle.setReady(true);
    lifecycle.onReady(() => seen.push('late'));
    expect(seen).toEqual(['early', 'late']);
    await lifecycle.shutdown('test');
    lifecycle.setReady(true);
    expect(seen).toEqual(['early', 'late']);
  });
});
