import type { Point, TravelModel } from './types.ts';

export function distance(a: Point, b: Point): number {
  const dx = a.x - b.x;
  const dy = a.y - b.y;
  // sqrt of the sum, not Math.hypot: the MDRP evaluator rounds this value up, and hypot can differ
  // from it in the last bit.
  return Math.sqrt(dx * dx + dy * dy);
}

/** Straight-line travel at a constant speed (metres per second), e.g. for riders on bikes in a zone. */
export function createSpeedTravelModel(metresPerSecond: number): TravelModel {
  if (!(metresPerSecond > 0)) throw new Error(`speed must be positive, got ${metresPerSecond}`);
  return { seconds: (from, to) => distance(from, to) / metresPerSecond, maxSpeed: metresPerSecond };
}
