import closeWithGrace from 'close-with-grace';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '@mealpeak/telemetry';

export interface LifecycleSettings {
  logger: Logger;
  /** Whole shutdown budget; keep it below the pod's terminationGracePeriodSeconds. */
  timeoutMs: number;
  /** Time between turning readiness off and closing listeners, so load balancers stop routing first. */
  drainDelayMs?: number;
}

export interface Lifecycle {
  readonly isReady: () => boolean;
  readonly isShuttingDown: () => boolean;
  setReady(ready: boolean): void;
  /**
   * Called when the service turns ready (at once if it already is): readiness signals other than
   * /readyz (the gRPC health service) go on at the same moment, once start-up has finished.
   */
  onReady(listener: () => void): void;
  /**
   * Called when shutdown turns readiness off, before the drain delay: readiness signals other
   * than /readyz (the gRPC health service) go off at the same moment, so every load balancer and
   * probe stops routing here during the drain.
   */
  onReadinessLost(listener: () => void): void;
  /**
   * Registers a cleanup step. Steps run in reverse order of registration (like `defer`): register
   * resources as they are created (pool, then producer, then servers) and the servers stop first.
   */
  onShutdown(name: string, step: () => Promise<void>): void;
  /** Catches SIGTERM/SIGINT and fatal errors and runs the shutdown once. */
  installSignalHandlers(): void;
  shutdown(reason: string): Promise<void>;
}

export function createLifecycle(settings: LifecycleSettings): Lifecycle {
  const steps: { name: string; step: () => Promise<void> }[] = [];
  const readinessListeners: (() => void)[] = [];
  const readyListeners: (() => void)[] = [];
  let ready = false;
  let shutdown: Promise<void> | undefined;
  const log = settings.logger;

  async function runShutdown(reason: string): Promise<void> {
    ready = false;
    for (const listener of readinessListeners) listener();
    log.info({ reason }, 'shutting down: readiness off');
    if (settings.drainDelayMs) await sleep(settings.drainDelayMs);
    for (const { name, step } of [...steps].reverse()) {
      const started = performance.now();
      try {
        await step();
        log.info({ step: name, ms: Math.round(performance.now() - started) }, 'shutdown step done');
      } catch (err) {
        log.error({ err, step: name }, 'shutdown step failed');
      }
    }
  }

  const lifecycle: Lifecycle = {
    isReady: () => ready,
    isShuttingDown: () => shutdown !== undefined,
    setReady: (value) => {
      if (shutdown) return;
      const turnsReady = value && !ready;
      ready = value;
      if (turnsReady) for (const listener of readyListeners) listener();
    },
    onReady: (listener) => {
      readyListeners.push(listener);
      if (ready) listener();
    },
    onReadinessLost: (listener) => {
      readinessListeners.push(listener);
    },
    onShutdown: (name, step) => {
      steps.push({ name, step });
    },
    shutdown: (reason) => (shutdown ??= runShutdown(reason)),
    installSignalHandlers: () => {
      closeWithGrace(
        { delay: settings.timeoutMs, logger: { error: (m: string) => log.error(m) } },
        async ({ signal, err }) => {
          if (err) log.fatal({ err }, 'fatal error');
          await lifecycle.shutdown(signal ?? (err ? 'fatal error' : 'manual'));
        },
      );
    },
  };
  return lifecycle;
}
