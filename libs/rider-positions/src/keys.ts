export interface PositionKeys {
  /** GEO set (a sorted set scored by geohash): member = rider id. */
  readonly geo: string;
  /** Sorted set: member = rider id, score = recordedAt of the rider's latest applied fix. */
  readonly seen: string;
  /** Hash: field = rider id, value = the run of fixes refused as jumps since the latest applied one. */
  readonly suspects: string;
}

/**
 * The whole Redis layout of live positions. The braces are a cluster hash tag: both keys of one
 * namespace share a slot, which the Lua scripts (touching both atomically) require.
 */
export function positionKeys(namespace = 'rider-positions'): PositionKeys {
  if (!/^[A-Za-z0-9._:-]+$/.test(namespace)) throw new Error(`invalid positions namespace "${namespace}"`);
  return { geo: `{${namespace}}:geo`, seen: `{${namespace}}:seen`, suspects: `{${namespace}}:suspects` };
}
