export { createPositionWriter, type PositionWriter, type PositionWriterOptions } from './writer.ts';
export { createPositionReader, type PositionReader } from './reader.ts';
export { checkPing, MAX_GEO_LATITUDE, MAX_RIDER_ID_LENGTH, type PingLimits } from './validate.ts';
export { positionKeys, type PositionKeys } from './keys.ts';
export {
  DEFAULT_TTL_MS,
  type LatLng,
  type NearbyRider,
  type PingOutcome,
  type PositionIndexOptions,
  type PositionPing,
  type RiderPosition,
} from './types.ts';
export { createMemoryPositions } from './memory.ts';
export {
  DEFAULT_PLAUSIBILITY,
  POSITION_CHECKS,
  type PlausibilityRule,
  type PositionCheck,
} from './domain/plausibility.ts';
