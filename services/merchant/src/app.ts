import type { HandlerBinding } from '@mealpeak/kafka';
import type { MerchantServiceService } from '@mealpeak/contracts/merchant.v1';
import type { UnaryImplementation } from '@mealpeak/grpc';
import { startLoop, type Loop } from '@mealpeak/runtime';
import type { UseCaseDeps } from './app/deps.ts';
import { createReservationSweeper, type ReservationSweeper } from './app/reservation-sweeper.ts';
import { createUseCases, type UseCases } from './app/use-cases.ts';
import { createMerchantGrpcHandlers } from './transport/grpc-handlers.ts';
import { orderEventHandlers } from './transport/order-events-consumer.ts';

export interface MerchantServiceDeps extends UseCaseDeps {
  readonly sweep: { readonly intervalMs: number; readonly batchSize: number };
  /** The periodic backlog recount (backlog-recount.ts); default: every 30 s, 100 merchants a batch. */
  readonly recount?: { readonly intervalMs: number; readonly batchSize: number };
}

export interface MerchantService {
  readonly useCases: UseCases;
  /** Add to a gRPC server: `server.add(MerchantServiceService, service.grpc)`. */
  readonly grpc: UnaryImplementation<typeof MerchantServiceService>;
  /** Handlers for a consumer of order.events.v1 (group `merchant`). */
  readonly eventHandlers: readonly HandlerBinding[];
  readonly sweeper: ReservationSweeper;
  /**
   * Starts recounting the backlogs that ageing may have changed, every interval, the first run
   * after `firstRunAfterMs` (replicas started together should not all run at once); stop() ends it.
   */
  startBacklogRecount(firstRunAfterMs?: number): Loop;
}

/** The merchant service from its dependencies, listening to nothing: main.ts and tests plug it in. */
export function createMerchantService(deps: MerchantServiceDeps): MerchantService {
  const useCases = createUseCases(deps);
  return {
    useCases,
    grpc: createMerchantGrpcHandlers(useCases),
    eventHandlers: orderEventHandlers(useCases, deps.logger),
    sweeper: createReservationSweeper({
      sweep: (limit) => useCases.sweepReservations(limit),
      intervalMs: deps.sweep.intervalMs,
      batchSize: deps.sweep.batchSize,
      logger: deps.logger,
    }),
    startBacklogRecount(firstRunAfterMs = 0) {
      const { intervalMs, batchSize } = deps.recount ?? { intervalMs: 30_000, batchSize: 100 };
      const log = deps.logger.child({ component: 'backlog-recount' });
      return startLoop(
        'backlog recount',
        intervalMs,
        async () => {
          const report = await useCases.recountAgedBacklogs(batchSize);
          if (report.changed > 0) log.info(report, 'recounted backlogs past the counting age');
        },
        log,
        firstRunAfterMs,
      );
    },
  };
}
