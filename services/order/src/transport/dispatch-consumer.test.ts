import { describe, expect, it } from 'vitest';
import { codedError, err, ok } from '@mealpeak/core';
import { EVENTS, TOPICS, type ConsumedEvent } from '@mealpeak/kafka';
import { createLogger } from '@mealpeak/telemetry';
import { installInMemoryMetrics } from '@mealpeak/telemetry/testing';
import type { OrderUseCases } from '../app/use-cases.ts';

describe('the dispatch-events consumer', () => {
  it('counts and logs a pickup the order can no longer take (cancelled meanwhile), by fact and code', async () => {
    const collected = installInMemoryMetrics();
    // The module creates its counter on import, so it is imported after the provider is set.
    const { dispatchConsumerSettings } = await import('./dispatch-consumer.ts');
    const lines: Record<string, unknown>[] = [];
    const logger = createLogger({
      service: 'order-test',
      level: 'info',
      destination: { write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>) },
    });
    const useCases = {
      applyDispatchFact: async (_orderId: string, fact: { kind: string }) =>
        fact.kind === 'PICK_UP'
          ? err(codedError('conflict', 'ILLEGAL_TRANSITION', 'cannot pick up an order that is CANCELLED'))
          : ok('duplicate'),
    } as unknown as OrderUseCases;
    const settings = dispatchConsumerSettings(useCases, TOPICS.dispatchEvents, logger);
    const pickup = settings.handlers.find((h) => h.type === EVENTS.orderPickedUp)!;
    const event: ConsumedEvent<unknown> = {
      eventId: 'e-1',
      type: EVENTS.orderPickedUp.name,
      key: 'o-1',
      occurredAt: new Date(),
      payload: { orderId: 'o-1', riderId: 'r-1' },
      topic: TOPICS.dispatchEvents.name,
      partition: 0,
      offset: '0',
      envelope: {} as ConsumedEvent<unknown>['envelope'],
    };
    await pickup.handle(event);

    expect(await collected.values('mealpeak.order.dispatch_facts.refused')).toEqual([
      {
        attributes: { 'mealpeak.order.fact': 'PICK_UP', 'mealpeak.order.refusal': 'ILLEGAL_TRANSITION' },
        value: 1,
      },
    ]);
    expect(lines).toContainEqual(
      expect.objectContaining({
        msg: 'dispatch event not applicable to the order',
        orderId: 'o-1',
        riderId: 'r-1',
        code: 'ILLEGAL_TRANSITION',
      }),
    );
  });
});
