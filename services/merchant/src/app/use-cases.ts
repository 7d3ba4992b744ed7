import { catalogueUseCases } from './catalogue.ts';
import type { UseCaseDeps } from './deps.ts';
import { kitchenCommandUseCases } from './kitchen-commands.ts';
import { listingUseCases } from './listing.ts';
import { orderEventUseCases } from './order-events.ts';
import { reservationUseCases } from './reservations.ts';

/** Every use case of the merchant service; gRPC handlers, the consumer and the sweeper call these. */
export function createUseCases(deps: UseCaseDeps) {
  return {
    ...catalogueUseCases(deps),
    ...listingUseCases(deps),
    ...reservationUseCases(deps),
    ...kitchenCommandUseCases(deps),
    ...orderEventUseCases(deps),
  };
}

export type UseCases = ReturnType<typeof createUseCases>;
