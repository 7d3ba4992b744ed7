import { ok, type CodedError, type Result } from '@mealpeak/core';
import { CANCELLED_VISIBLE_MS, RELEASED_VISIBLE_MS, type RunOrder } from '../domain/delivery/run.ts';
import type { Clock, DispatchStore } from './ports.ts';
import { requireIds } from './validation.ts';

/**
 * The rider's current run, for an app that restarted or lost track: what they hold, and what was
 * cancelled in their hands lately (docs/dispatch-service.md#the-riders-run).
 */
export function createRiderRunUseCases(deps: { store: DispatchStore; clock: Clock }) {
  return {
    /**
     * `includeReleased`: also the orders taken back from the rider lately. Callers that know the
     * state ask for it; an older gateway does not, and would not know how to name it.
     */
    async listRiderOrders(riderId: string, includeReleased = false): Promise<Result<RunOrder[], CodedError>> {
      const valid = requireIds({ riderId });
      if (!valid.ok) return valid;
      const now = deps.clock.now().getTime();
      const [run, released] = await Promise.all([
        deps.store.riderRun(riderId, new Date(now - CANCELLED_VISIBLE_MS)),
        includeReleased ? deps.store.releasedFrom(riderId, new Date(now - RELEASED_VISIBLE_MS)) : [],
      ]);
      // A released order is another rider's (or waiting for one) now, its customer's drop-off
      // included: the rider it was taken from keeps only what tells them not to go.
      return ok([...run, ...released.map((o) => ({ ...o, dropoff: undefined, dropoffAddress: '' }))]);
    },
  };
}
