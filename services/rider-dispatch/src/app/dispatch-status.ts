import { err, ok, type CodedError, type Result } from '@mealpeak/core';
import { dispatchStatus, type DispatchStatus } from '../domain/delivery/dispatch-status.ts';
import { DispatchErrors } from '../domain/errors.ts';
import type { Clock, DispatchStore } from './ports.ts';
import { requireIds } from './validation.ts';

/**
 * Offers listed with a dispatch status: enough to name the riders who declined an order through
 * a lunch peak (one every OFFER_TIMEOUT_MS at worst), while the counts cover every offer.
 */
export const RECENT_OFFERS_LIMIT = 20;

/**
 * Where an order stands in dispatch, for ops (docs/dispatch-service.md#where-an-order-stands-getdispatchstatus):
 * waiting for a round, offered to a rider until when, with whom, and how its earlier offers ended.
 * Read-only.
 */
export function createDispatchStatusUseCases(deps: { store: DispatchStore; clock: Clock }) {
  return {
    async getDispatchStatus(orderId: string): Promise<Result<DispatchStatus, CodedError>> {
      const valid = requireIds({ orderId });
      if (!valid.ok) return valid;
      const record = await deps.store.dispatchRecord(orderId, RECENT_OFFERS_LIMIT);
      // As tracking and the cancel hold answer: dispatch sees orders from ACCEPTED on.
      if (!record) return err(DispatchErrors.orderNotFound(orderId));
      return ok(dispatchStatus(record, deps.clock.now()));
    },
  };
}
