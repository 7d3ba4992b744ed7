export interface LeasePlanInput {
  /** Zones this replica holds a lease on. */
  readonly held: readonly string[];
  /** Zones with waiting orders. */
  readonly active: readonly string[];
  /** Replicas alive, this one included. */
  readonly liveReplicas: number;
}

export interface LeasePlan {
  /** Leases to give back: zones without work, and the excess over the fair share. */
  readonly release: readonly string[];
  /** Zones to try, in this order, until `want` more are held. */
  readonly candidates: readonly string[];
  readonly want: number;
}

/**
 * Fair share: no replica holds more than ceil(active zones / live replicas), so zones spread over
 * replicas and a newcomer gets its share as soon as the others shed their excess. Candidates come
 * in random order (`shuffle`) so replicas starting together do not all race for the same zones.
 */
export function planLeases(input: LeasePlanInput, shuffle: <T>(items: T[]) => T[]): LeasePlan {
  const active = new Set(input.active);
  const held = new Set(input.held);
  const cap = Math.ceil(active.size / Math.max(1, input.liveReplicas));
  const idle = input.held.filter((z) => !active.has(z));
  const working = shuffle(input.held.filter((z) => active.has(z)));
  const excess = working.slice(cap);
  return {
    release: [...idle, ...excess],
    candidates: shuffle(input.active.filter((z) => !held.has(z))),
    want: Math.max(0, cap - (working.length - excess.length)),
  };
}

/** Fisher-Yates with an injected random source (tests pass a fixed one). */
export function shuffleWith(random: () => number): <T>(items: T[]) => T[] {
  return <T>(items: T[]): T[] => {
    const out = [...items];
    for (let i = out.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [out[i], out[j]] = [out[j]!, out[i]!];
    }
    return out;
  };
}
