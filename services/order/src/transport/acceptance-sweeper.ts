import type { Logger } from '@mealpeak/telemetry';
import type { OrderUseCases } from '../app/use-cases.ts';

export interface Sweeper {
  stop(): Promise<void>;
}

/** Periodically rejects orders the merchant did not accept in time (every replica runs one). */
export function startAcceptanceSweeper(useCases: OrderUseCases, intervalMs: number, logger: Logger): Sweeper {
  let running = true;
  let timer: NodeJS.Timeout | undefined;
  let current: Promise<void> = Promise.resolve();
  const tick = () => {
    current = (async () => {
      try {
        // Keep sweeping while full batches come back (a backlog after an outage).
        while (running && (await useCases.expireOverdue(100)) === 100);
      } catch (error) {
        logger.warn({ err: error }, 'acceptance sweep failed; will retry');
      }
      if (running) timer = setTimeout(tick, intervalMs);
    })();
  };
  timer = setTimeout(tick, intervalMs);
  return {
    async stop() {
      running = false;
      clearTimeout(timer);
      await current;
    },
  };
}
