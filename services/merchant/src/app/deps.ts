import type { Logger } from '@mealpeak/telemetry';
import type { CatalogueCache } from './catalogue-cache.ts';
import type { Clock, IdGenerator, MerchantStore, OrderService } from './ports.ts';
import type { ZoneWarning } from './zone-warning.ts';

export interface UseCaseSettings {
  /** How long a tentative reservation waits for its PLACED event before the sweeper asks. */
  readonly reservationTtlSeconds: number;
  /** When the sweeper could not reach the order service, how long until it asks again. */
  readonly sweepRetryMs: number;
  /** How stale placement's view of merchants and items may be (0: always read). */
  readonly catalogueCacheMs?: number;
  /** Most items one merchant's menu may hold (default DEFAULT_MAX_MENU_ITEMS). */
  readonly maxMenuItems?: number;
}

/**
 * A menu is sent whole in one gRPC reply (4 MB at most) and read whole on every store page: an
 * unbounded one broke its own store page at ~1,900 items of 2 KB.
 */
export const DEFAULT_MAX_MENU_ITEMS = 500;

export interface UseCaseDeps {
  readonly store: MerchantStore;
  readonly orders: OrderService;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  readonly logger: Logger;
  readonly settings: UseCaseSettings;
  /** Built by createUseCases from the store and settings.catalogueCacheMs. */
  readonly catalogue?: CatalogueCache;
  /** Built by createUseCases from the logger: one per process, so each merchant is logged once. */
  readonly warnIfZoneUnusable?: ZoneWarning;
}

/** The consumer name under which the merchant service claims order events in its inbox. */
export const INBOX_CONSUMER = 'merchant';
