import type { CodedError, Result } from '@mealpeak/core';
import type { Clock, DispatchStore } from './ports.ts';
import { requireIds } from './validation.ts';

/** Pickup and drop-off, reported by the rider holding the order; repeats are harmless. */
export function createDeliveryUseCases(deps: { store: DispatchStore; clock: Clock }) {
  return {
    async markPickedUp(riderId: string, orderId: string): Promise<Result<void, CodedError>> {
      const valid = requireIds({ riderId, orderId });
      if (!valid.ok) return valid;
      return deps.store.markPickedUp(orderId, riderId, deps.clock.now());
    },
    async markDelivered(riderId: string, orderId: string): Promise<Result<void, CodedError>> {
      const valid = requireIds({ riderId, orderId });
      if (!valid.ok) return valid;
      return deps.store.markDelivered(orderId, riderId, deps.clock.now());
    },
  };
}
