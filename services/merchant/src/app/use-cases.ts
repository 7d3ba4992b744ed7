import { backlogRecountUseCases } from './backlog-recount.ts';
import { catalogueUseCases } from './catalogue.ts';
import { createCatalogueCache } from './catalogue-cache.ts';
import type { UseCaseDeps } from './deps.ts';
import { kitchenCommandUseCases } from './kitchen-commands.ts';
import { listingUseCases } from './listing.ts';
import { merchantAddressUseCases } from './merchant-address.ts';
import { orderEventUseCases } from './order-events.ts';
import { profileEditUseCases } from './profile-edit.ts';
import { reservationUseCases } from './reservations.ts';
import { retentionUseCases } from './retention.ts';
import { createZoneWarning } from './zone-warning.ts';

/** Every use case of the merchant service; gRPC handlers, the consumer and the sweeper call these. */
export function createUseCases(base: UseCaseDeps) {
  const deps: UseCaseDeps = {
    ...base,
    catalogue: base.catalogue ?? createCatalogueCache(base.store.repo, base.settings.catalogueCacheMs ?? 0),
    warnIfZoneUnusable: base.warnIfZoneUnusable ?? createZoneWarning(base.logger),
  };
  return {
    ...catalogueUseCases(deps),
    ...listingUseCases(deps),
    ...merchantAddressUseCases(deps),
    ...profileEditUseCases(deps),
    ...reservationUseCases(deps),
    ...kitchenCommandUseCases(deps),
    ...orderEventUseCases(deps),
    ...retentionUseCases(deps),
    ...backlogRecountUseCases(deps),
  };
}

export type UseCases = ReturnType<typeof createUseCases>;
