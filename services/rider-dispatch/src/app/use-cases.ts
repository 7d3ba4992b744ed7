import type { Logger } from '@mealpeak/telemetry';
import { createDeliveryUseCases, type DeliveryDeps } from './deliveries.ts';
import { createDispatchStatusUseCases } from './dispatch-status.ts';
import { createOfferUseCases } from './offers.ts';
import { createOrderEventUseCases } from './order-events.ts';
import type { Clock, DispatchStore, Positions, Release } from './ports.ts';
import { createReleaseUseCases } from './releases.ts';
import { createRiderRunUseCases } from './rider-run.ts';
import { createRiderUseCases } from './riders.ts';
import type { DispatchModel, DispatchSettings } from './settings.ts';
import { createTrackingUseCases } from './tracking.ts';

export interface UseCaseDeps {
  readonly store: DispatchStore;
  readonly positions: Positions;
  readonly clock: Clock;
  readonly settings: DispatchSettings;
  readonly model: DispatchModel;
  readonly logger: Logger;
  /** Told of every release of orders by the release sweeper (metrics). */
  readonly onRelease?: (release: Release) => void;
  /** Told of every pickup or delivery judged by where the rider was (metrics). */
  readonly onHandover?: DeliveryDeps['onHandover'];
}

/** Every use case a transport may call (gRPC handlers, the order-events consumer, the sweepers). */
export function createDispatchUseCases(deps: UseCaseDeps) {
  const { params, grid } = deps.model;
  return {
    ...createRiderUseCases(deps),
    ...createOfferUseCases({ ...deps, params }),
    ...createDeliveryUseCases(deps),
    ...createRiderRunUseCases(deps),
    ...createTrackingUseCases({ ...deps, params }),
    ...createDispatchStatusUseCases(deps),
    ...createReleaseUseCases(deps),
    ...createOrderEventUseCases({ store: deps.store, grid }),
  };
}

export type DispatchUseCases = ReturnType<typeof createDispatchUseCases>;
