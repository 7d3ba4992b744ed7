import { startLoop, type Loop } from '@mealpeak/runtime';
import type { Logger } from '@mealpeak/telemetry';
import type { OrderUseCases } from '../app/use-cases.ts';

/** Periodically rejects orders the merchant did not accept in time (every replica runs one). */
export function startAcceptanceSweeper(useCases: OrderUseCases, intervalMs: number, logger: Logger): Loop {
  let running = true;
  const loop = startLoop(
    'acceptance sweep',
    intervalMs,
    async () => {
      // Keep sweeping while full batches come back (a backlog after an outage), until shutdown.
      while (running && (await useCases.expireOverdue(100)) === 100);
    },
    logger,
    intervalMs,
  );
  return {
    async stop() {
      running = false;
      await loop.stop();
    },
  };
}
