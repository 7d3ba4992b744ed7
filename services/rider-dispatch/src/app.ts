import type { Pool } from '@mealpeak/db';
import type { Topics } from '@mealpeak/kafka';
import type { Outbox } from '@mealpeak/outbox';
import type { Logger } from '@mealpeak/telemetry';
import { createPgDispatchStore } from './adapters/pg-dispatch-store.ts';
import type { Clock, Ids, Positions, ZoneLeases } from './app/ports.ts';
import { createRoundRunner } from './app/rounds.ts';
import { dispatchModel, type DispatchSettings } from './app/settings.ts';
import { createDispatchUseCases } from './app/use-cases.ts';
import { createZoneScheduler } from './app/zone-scheduler.ts';
import { dispatchGrpcHandlers } from './transport/grpc-handlers.ts';
import { recordHandover, recordRelease, recordRound, tracedRound } from './transport/metrics.ts';
import { orderEventsConsumerSettings } from './transport/order-events-consumer.ts';

export type { DispatchUseCases } from './app/use-cases.ts';

export interface DispatchAppDeps {
  readonly pool: Pool;
  readonly outbox: Outbox;
  readonly positions: Positions;
  readonly leases: ZoneLeases;
  readonly clock: Clock;
  readonly ids: Ids;
  readonly settings: DispatchSettings;
  readonly leaseTtlMs: number;
  readonly logger: Logger;
  readonly topics: Topics;
  readonly random?: () => number;
  readonly monotonic?: () => number;
}

/** The dispatch service without any listener or timer: tests drive these pieces in-process. */
export function buildDispatchApp(deps: DispatchAppDeps) {
  const model = dispatchModel(deps.settings);
  const store = createPgDispatchStore(deps.pool, deps.outbox, deps.topics.dispatchEvents);
  const useCases = createDispatchUseCases({
    ...deps,
    store,
    model,
    onRelease: recordRelease,
    onHandover: recordHandover,
  });
  const runRound = tracedRound(model.strategy.name, createRoundRunner({ ...deps, store, model }));
  const scheduler = createZoneScheduler({
    leases: deps.leases,
    store,
    runRound,
    replicaId: deps.settings.replicaId,
    leaseTtlMs: deps.leaseTtlMs,
    ids: deps.ids,
    random: deps.random ?? Math.random,
    monotonic: deps.monotonic ?? (() => performance.now()),
    logger: deps.logger,
    onRound: recordRound,
  });
  return {
    model,
    store,
    useCases,
    runRound,
    scheduler,
    grpcHandlers: dispatchGrpcHandlers(useCases),
    consumer: orderEventsConsumerSettings(useCases, deps.topics.orderEvents, deps.logger),
  };
}

export type DispatchApp = ReturnType<typeof buildDispatchApp>;
