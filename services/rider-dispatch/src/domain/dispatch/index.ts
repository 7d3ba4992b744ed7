// Public API of the dispatch engine: pure, deterministic, no I/O; the caller passes time in.
export type {
  Assignment,
  BundlingParams,
  CostWeights,
  Decision,
  DispatchParams,
  DispatchSnapshot,
  DispatchStrategy,
  OrderSnapshot,
  Point,
  RiderSnapshot,
  RoutePlan,
  StopPlan,
  TravelModel,
} from './types.ts';
export { createGreedyStrategy } from './greedy-strategy.ts';
export { createOptimizingStrategy, type OptimizingOptions } from './optimizing-strategy.ts';
export { defaultDispatchParams, dispatchParams, type DispatchParamsOverrides } from './params.ts';
export { clickToDoorFloor, planRoute, type RouteStart, type ServiceTimes } from './route-plan.ts';
export { createSpeedTravelModel, distance } from './travel.ts';
export { validateSnapshot, type SnapshotProblem, type SnapshotProblemCode } from './validate-snapshot.ts';
