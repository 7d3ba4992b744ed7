import { createSpeedTravelModel } from './travel.ts';
import type { BundlingParams, CostWeights, DispatchParams } from './types.ts';

const MINUTE = 60;

/**
 * Defaults, tuned on the MDRP benchmark (docs/dispatch.md explains each knob and how it moves the
 * numbers). Times are seconds.
 */
export const defaultDispatchParams: DispatchParams = {
  // 18 km/h: a city bike courier. The simulator and the service replace it with their own model.
  travel: createSpeedTravelModel(5),
  pickupServiceSeconds: 4 * MINUTE,
  dropoffServiceSeconds: 4 * MINUTE,
  // How often the caller runs a round; the engine holds an assignment only if the next round can still
  // make it on time.
  roundWindowSeconds: MINUTE,
  maxBundleSize: 4,
  // Orders whose ready times are further apart than this are never bundled: the first would go cold.
  maxBundleReadySpreadSeconds: 20 * MINUTE,
  // Riders considered per restaurant, nearest by arrival time (the spatial index prunes the rest).
  candidateRiders: 24,
  // Busy riders (and riders about to start their shift) are planned for if they free up within this.
  planningHorizonSeconds: 45 * MINUTE,
  // Commit when waiting one more round would leave less than this slack before the food is ready.
  commitSlackSeconds: 0,
  // Holding an order costs what it would cost if its pickup slipped by this much.
  holdPostponeSeconds: 60 * MINUTE,
  weights: { delay: 1, lateness: 0.25, latenessSquared: 0, approach: 0, idle: 0.1, busy: 0 },
  bundling: {
    riderSecondValue: 4,
    pressureStart: 0.55,
    pressureFull: 0.95,
    horizonSeconds: 45 * MINUTE,
    typicalApproachSeconds: 6 * MINUTE,
  },
};

export interface DispatchParamsOverrides extends Partial<Omit<DispatchParams, 'weights' | 'bundling'>> {
  readonly weights?: Partial<CostWeights>;
  readonly bundling?: Partial<BundlingParams>;
}

/** Defaults with the given fields replaced (nested weights and bundling merge field by field). */
export function dispatchParams(overrides: DispatchParamsOverrides = {}): DispatchParams {
  return {
    ...defaultDispatchParams,
    ...overrides,
    weights: { ...defaultDispatchParams.weights, ...overrides.weights },
    bundling: { ...defaultDispatchParams.bundling, ...overrides.bundling },
  };
}
