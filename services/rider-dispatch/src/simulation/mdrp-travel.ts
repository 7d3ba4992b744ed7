import { distance } from '../domain/dispatch/travel.ts';
import type { TravelModel } from '../domain/dispatch/types.ts';
import type { MdrpParams } from './mdrp-instance.ts';

/** MDRP's rule, in whole minutes: ceil(euclidean metres / metres per minute). */
export function mdrpTravelMinutes(
  params: MdrpParams,
  from: { x: number; y: number },
  to: { x: number; y: number },
): number {
  return Math.ceil(distance(from, to) / params.metersPerMinute);
}

/** The same rule in the engine's seconds; the speed bound lets the engine's spatial pruning stay exact. */
export function createMdrpTravelModel(params: MdrpParams): TravelModel {
  return {
    seconds: (from, to) => 60 * mdrpTravelMinutes(params, from, to),
    maxSpeed: params.metersPerMinute / 60,
  };
}
