import type { Pool } from '@mealpeak/db';
import type { Topics } from '@mealpeak/kafka';
import type { Outbox } from '@mealpeak/outbox';
import type { Logger } from '@mealpeak/telemetry';
import { createPgOrderStore } from './adapters/pg-order-store.ts';
import type { Clock, StockReservations } from './app/ports.ts';
import { createOrderUseCases } from './app/use-cases.ts';
import type { PlacementPolicy } from './domain/placement.ts';
import { dispatchConsumerSettings } from './transport/dispatch-consumer.ts';
import { orderGrpcHandlers } from './transport/grpc-handlers.ts';

export interface OrderAppDeps {
  pool: Pool;
  outbox: Outbox;
  reservations: StockReservations;
  clock: Clock;
  policy: PlacementPolicy;
  logger: Logger;
  topics: Topics;
}

/** The order service without any listener: tests drive these pieces in-process. */
export function buildOrderApp(deps: OrderAppDeps) {
  const store = createPgOrderStore(deps.pool, deps.outbox, deps.topics.orderEvents);
  const useCases = createOrderUseCases({
    store,
    reservations: deps.reservations,
    clock: deps.clock,
    policy: deps.policy,
    logger: deps.logger,
  });
  return {
    useCases,
    grpcHandlers: orderGrpcHandlers(useCases),
    consumer: dispatchConsumerSettings(useCases, deps.topics.dispatchEvents, deps.logger),
  };
}
