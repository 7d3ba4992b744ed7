/**
 * The runner's chaos options (`--chaos S`, `--chaos-infra`, `--chaos-freeze F`) checked together,
 * before anything starts: a refused command leaves no stack running and no results folder.
 */
export interface ChaosOptions {
  /** Seconds from the last victim being ready again to the next strike. */
  everyS: number;
  /** Freeze each victim (SIGSTOP) for this long instead of killing it. */
  freezeS?: number;
  /** PostgreSQL, Redis and Kafka in the rotation too (kills only). */
  infra: boolean;
}

/** A freeze shorter than this is lost in the noise of a 1 s outlier-detection interval. */
export const MIN_FREEZE_S = 2;
/** Longer than keepalive (15 s) and an ejection (10-30 s) many times over: a dead process, not a freeze. */
export const MAX_FREEZE_S = 60;

export function chaosOptions(o: {
  chaos: string | undefined;
  freeze: string | undefined;
  infra: boolean;
  remote: boolean;
  replicas: number;
}): { ok: ChaosOptions | undefined } | { problem: string } {
  if (o.chaos === undefined) {
    if (o.infra) return { problem: '--chaos-infra goes with --chaos S' };
    if (o.freeze !== undefined) return { problem: '--chaos-freeze F goes with --chaos S' };
    return { ok: undefined };
  }
  const everyS = Number(o.chaos);
  if (!Number.isFinite(everyS) || everyS < 5)
    return { problem: `--chaos wants the seconds between kills (at least 5), got "${o.chaos}"` };
  if (o.remote)
    return { problem: '--chaos kills processes of the replica mode: it cannot be used with --base-url' };
  if (o.replicas < 2)
    return {
      problem: '--chaos needs --replicas 2 or more: with one replica a kill is an outage, not a failover',
    };
  if (o.freeze === undefined) return { ok: { everyS, infra: o.infra } };
  const freezeS = Number(o.freeze);
  if (!Number.isFinite(freezeS) || freezeS < MIN_FREEZE_S || freezeS > MAX_FREEZE_S)
    return {
      problem: `--chaos-freeze wants the seconds each victim stays frozen (${MIN_FREEZE_S} to ${MAX_FREEZE_S}), got "${o.freeze}"`,
    };
  // The platform is whole for longer than it has a frozen replica: a freeze is an event, not the state.
  if (freezeS >= everyS)
    return { problem: `--chaos-freeze ${o.freeze} must be shorter than --chaos ${o.chaos}` };
  // Freezing a server is another experiment (clients of PostgreSQL, Redis and Kafka, not gRPC).
  if (o.infra)
    return { problem: '--chaos-freeze freezes service replicas only: it cannot be used with --chaos-infra' };
  return { ok: { everyS, freezeS, infra: false } };
}
