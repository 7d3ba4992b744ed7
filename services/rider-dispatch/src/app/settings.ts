import {
  createGreedyStrategy,
  createOptimizingStrategy,
  createSpeedTravelModel,
  dispatchParams,
  type DispatchParams,
  type DispatchStrategy,
} from '../domain/dispatch/index.ts';
import type { HandoverPolicy } from '../domain/delivery/handover.ts';
import { createZoneGrid, type ZoneGrid } from '../domain/geo/zone-grid.ts';

/** Everything the use cases are tuned with; main.ts fills it from the config. */
export interface DispatchSettings {
  readonly replicaId: string;
  readonly zoneSizeM: number;
  /** Riders within this distance of a zone's centre take part in its rounds. */
  readonly zoneRiderRadiusM: number;
  readonly maxRidersPerRound: number;
  readonly maxOrdersPerRound: number;
  readonly roundIntervalMs: number;
  readonly strategy: 'optimized' | 'greedy';
  readonly riderSpeedMps: number;
  readonly offerTimeoutMs: number;
  /** Offers go out this much earlier than the engine strictly needs: the rider's time to answer. */
  readonly commitSlackMs: number;
  readonly declineCooldownMs: number;
  /** Shift length assumed when a rider goes online without saying when the shift ends. */
  readonly defaultShiftMs: number;
  /** The position index forgets a rider silent for this long (RIDER_POSITION_TTL_MS). */
  readonly positionTtlMs: number;
  /** Orders not yet picked up go back to waiting after this much silence of their rider. */
  readonly silentReassignMs: number;
  /** ...or this long after the rider's shift ended. */
  readonly shiftEndReassignMs: number;
  /** Where a rider may report a pickup or delivery from (HANDOVER_CHECK, HANDOVER_MAX_DISTANCE_M). */
  readonly handover: HandoverPolicy;
}

export interface DispatchModel {
  readonly grid: ZoneGrid;
  readonly params: DispatchParams;
  readonly strategy: DispatchStrategy;
}

/** The engine as the service runs it: speed-based travel, rounds as often as the loop runs them. */
export function dispatchModel(settings: DispatchSettings): DispatchModel {
  return {
    grid: createZoneGrid(settings.zoneSizeM),
    params: dispatchParams({
      travel: createSpeedTravelModel(settings.riderSpeedMps),
      roundWindowSeconds: settings.roundIntervalMs / 1000,
      commitSlackSeconds: settings.commitSlackMs / 1000,
    }),
    strategy: settings.strategy === 'greedy' ? createGreedyStrategy() : createOptimizingStrategy(),
  };
}
