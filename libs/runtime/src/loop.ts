import type { Logger } from '@mealpeak/telemetry';

export interface Loop {
  stop(): Promise<void>;
}

/**
 * Runs `step` every `intervalMs`, never two at once (the next run is scheduled after the previous
 * one finished). A failing step is logged and retried on the next tick. stop() waits for the run
 * in progress.
 */
export function startLoop(
  name: string,
  intervalMs: number,
  step: () => Promise<unknown>,
  logger: Logger,
  /** Delay before the first run (default 0: at once). */
  firstRunAfterMs = 0,
): Loop {
  let running = true;
  let timer: NodeJS.Timeout | undefined;
  let current: Promise<void> = Promise.resolve();
  const tick = () => {
    current = (async () => {
      try {
        await step();
      } catch (error) {
        logger.warn({ err: error, loop: name }, 'periodic task failed; will retry');
      }
      if (running) timer = setTimeout(tick, intervalMs);
    })();
  };
  timer = setTimeout(tick, firstRunAfterMs);
  return {
    async stop() {
      running = false;
      clearTimeout(timer);
      await current;
    },
  };
}

/** Repeats `sweep(limit)` while it reports a full batch: drains a backlog in one tick. */
export const drain =
  (sweep: (limit: number) => Promise<number>, limit: number) => async (): Promise<void> => {
    while ((await sweep(limit)) === limit);
  };
