import type { Logger } from '@mealpeak/telemetry';
import { nextSilentSince, silentLongEnough, type ReleasePolicy } from '../domain/delivery/release.ts';
import type { Clock, DispatchStore, Positions, QueueStats, Release } from './ports.ts';
import type { DispatchSettings } from './settings.ts';

/**
 * Most riders holding orders going silent in the same look is not riders vanishing: their pings
 * are not reaching the index (the gateway cannot write to Redis, a network split). Silence then
 * decides nothing, or every pending pickup of the city would be taken back within minutes.
 */
export const MASS_SILENCE = { minRiders: 10, share: 0.5 } as const;

export interface ReleaseDeps {
  readonly store: DispatchStore;
  readonly positions: Pick<Positions, 'getMany'>;
  readonly clock: Clock;
  readonly settings: DispatchSettings;
  readonly logger: Logger;
  /** Told of every release (metrics). */
  readonly onRelease?: (release: Release) => void;
}

/**
 * The release sweeper (docs/dispatch-service.md#taking-orders-back, ADR 0013): orders a rider
 * accepted but cannot pick up (silent, going offline, shift over) go back to waiting, and the next
 * round offers them again. Every replica runs it; the store's SKIP LOCKED claim keeps replicas
 * apart and every step is idempotent.
 */
export function createReleaseUseCases(deps: ReleaseDeps) {
  const { store, clock, settings, logger } = deps;
  const policy: ReleasePolicy = {
    silentGraceMs: settings.silentReassignMs,
    shiftEndGraceMs: settings.shiftEndReassignMs,
  };

  /**
   * One look at the position index for every rider holding orders, remembered in PostgreSQL: the
   * index forgets a silent rider after its TTL, far shorter than the grace period. False when the
   * index could not be read (silence is then unknown, not assumed).
   */
  async function watchSilence(pageSize = 1_000): Promise<boolean> {
    const now = clock.now();
    let after = '';
    let holding = 0;
    let unheard = 0;
    const verdict = (): boolean => {
      if (holding < MASS_SILENCE.minRiders || unheard < holding * MASS_SILENCE.share) return true;
      logger.error(
        { holding, unheard },
        'most riders holding orders look silent at once: positions are probably not reaching the index; silence decides no release this time',
      );
      return false;
    };
    for (;;) {
      const riders = await store.ridersHoldingOrders(after, pageSize);
      if (riders.length === 0) return verdict();
      let fresh: Map<string, unknown>;
      try {
        fresh = await deps.positions.getMany(riders.map((r) => r.riderId));
      } catch (error) {
        logger.warn({ err: error }, 'rider positions unavailable: silence decides no release this time');
        return false;
      }
      holding += riders.length;
      unheard += riders.filter((r) => !fresh.has(r.riderId)).length;
      const heard = riders.filter((r) => fresh.has(r.riderId) && r.silentSince);
      const silent = riders.filter((r) => !fresh.has(r.riderId) && !r.silentSince);
      const since = nextSilentSince(undefined, false, now, settings.positionTtlMs)!;
      if (heard.length > 0 || silent.length > 0)
        await store.recordSilence(
          heard.map((r) => r.riderId),
          silent.map((r) => r.riderId),
          since,
        );
      if (riders.length < pageSize) return verdict();
      after = riders.at(-1)!.riderId;
    }
  }

  /** Takes back up to `limit` pending pickups of riders who cannot make them; returns how many. */
  async function releaseOrders(silenceKnown: boolean, limit = 100): Promise<number> {
    const now = clock.now();
    const releases = await store.releaseOrders({
      now,
      policy,
      silenceKnown,
      declineUntil: new Date(now.getTime() + settings.declineCooldownMs),
      limit,
    });
    for (const r of releases) {
      logger.warn(
        { riderId: r.riderId, reason: r.reason, orderIds: r.orderIds },
        'orders taken back from their rider',
      );
      deps.onRelease?.(r);
    }
    return releases.reduce((n, r) => n + r.orderIds.length, 0);
  }

  return {
    watchSilence,
    releaseOrders,

    /** One sweep: look at who is silent, then release until nothing is left to release. */
    async sweepReleases(limit = 100): Promise<void> {
      const silenceKnown = await watchSilence();
      while ((await releaseOrders(silenceKnown, limit)) === limit);
    },

    /** What the queue gauges show (the picked-up-silent one by the same grace period). */
    async queueStats(): Promise<QueueStats> {
      return store.queueStats(silentLongEnough(clock.now(), policy));
    },
  };
}
