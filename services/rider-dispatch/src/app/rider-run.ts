import { ok, type CodedError, type Result } from '@mealpeak/core';
import { CANCELLED_VISIBLE_MS, type RunOrder } from '../domain/delivery/run.ts';
import type { Clock, DispatchStore } from './ports.ts';
import { requireIds } from './validation.ts';

/**
 * The rider's current run, for an app that restarted or lost track: what they hold, and what was
 * cancelled in their hands lately (docs/dispatch-service.md#the-riders-run).
 */
export function createRiderRunUseCases(deps: { store: DispatchStore; clock: Clock }) {
  return {
    async listRiderOrders(riderId: string): Promise<Result<RunOrder[], CodedError>> {
      const valid = requireIds({ riderId });
      if (!valid.ok) return valid;
      const since = new Date(deps.clock.now().getTime() - CANCELLED_VISIBLE_MS);
      return ok(await deps.store.riderRun(riderId, since));
    },
  };
}
