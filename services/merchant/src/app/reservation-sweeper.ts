import type { Logger } from '@mealpeak/telemetry';
import type { SweepReport } from './order-events.ts';

export interface ReservationSweeper {
  start(): void;
  /** Finishes the sweep in hand and stops. */
  stop(): Promise<void>;
}

export interface SweeperSettings {
  readonly sweep: (limit: number) => Promise<SweepReport>;
  readonly intervalMs: number;
  readonly batchSize: number;
  readonly logger: Logger;
}

/**
 * Runs the reservation sweep every interval, at once again while batches come back full. Safe on
 * every replica: each sweep claims its rows with SKIP LOCKED and a lease (see ReservationRepo.claimDue).
 */
export function createReservationSweeper(settings: SweeperSettings): ReservationSweeper {
  const log = settings.logger.child({ component: 'reservation-sweeper' });
  let running = false;
  let loop: Promise<void> | undefined;
  let wake: (() => void) | undefined;

  async function run(): Promise<void> {
    while (running) {
      let full = false;
      try {
        const report = await settings.sweep(settings.batchSize);
        if (report.claimed > 0) log.info(report, 'swept expired reservations');
        full = report.claimed >= settings.batchSize;
      } catch (error) {
        log.warn({ err: error }, 'reservation sweep failed; retrying next interval');
      }
      if (full || !running) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, settings.intervalMs);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wake = undefined;
    }
  }

  return {
    start() {
      if (running) return;
      running = true;
      loop = run();
    },
    async stop() {
      running = false;
      wake?.();
      await loop;
    },
  };
}
