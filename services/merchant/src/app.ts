import type { HandlerBinding } from '@mealpeak/kafka';
import type { MerchantServiceService } from '@mealpeak/contracts/merchant.v1';
import type { UnaryImplementation } from '@mealpeak/grpc';
import type { UseCaseDeps } from './app/deps.ts';
import { createReservationSweeper, type ReservationSweeper } from './app/reservation-sweeper.ts';
import { createUseCases, type UseCases } from './app/use-cases.ts';
import { createMerchantGrpcHandlers } from './transport/grpc-handlers.ts';
import { orderEventHandlers } from './transport/order-events-consumer.ts';

export interface MerchantServiceDeps extends UseCaseDeps {
  readonly sweep: { readonly intervalMs: number; readonly batchSize: number };
}

export interface MerchantService {
  readonly useCases: UseCases;
  /** Add to a gRPC server: `server.add(MerchantServiceService, service.grpc)`. */
  readonly grpc: UnaryImplementation<typeof MerchantServiceService>;
  /** Handlers for a consumer of order.events.v1 (group `merchant`). */
  readonly eventHandlers: readonly HandlerBinding[];
  readonly sweeper: ReservationSweeper;
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
  };
}
