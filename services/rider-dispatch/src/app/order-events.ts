import type { ZoneGrid } from '../domain/geo/zone-grid.ts';
import type { DispatchStore, OrderFacts } from './ports.ts';

/** The inbox name of dispatch's order.events.v1 consumer (processed_events.consumer). */
export const ORDER_EVENTS_CONSUMER = 'rider-dispatch';

/**
 * Applies an OrderStateChanged snapshot once: accepted orders start waiting in the zone of their
 * pickup, readiness updates, cancellations free the rider (docs/dispatch-service.md#order-events).
 */
export function createOrderEventUseCases(deps: { store: DispatchStore; grid: ZoneGrid }) {
  return {
    applyOrderStateChanged(eventId: string, facts: Omit<OrderFacts, 'zone'>) {
      return deps.store.applyOrderEvent(
        { consumer: ORDER_EVENTS_CONSUMER, eventId },
        { ...facts, zone: deps.grid.zoneOf(facts.pickup) },
      );
    },
  };
}
