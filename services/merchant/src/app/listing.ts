import { err, ok, type CodedError, type Result } from '@mealpeak/core';
import { Errors, field } from '../domain/errors.ts';
import { validatePoint } from '../domain/geo.ts';
import type { GeoPoint } from '../domain/types.ts';
import type { UseCaseDeps } from './deps.ts';
import { decodePageToken, encodePageToken } from './page-token.ts';
import { viewOf, type MerchantView } from './views.ts';
import { createZoneWarning } from './zone-warning.ts';

export const DEFAULT_RADIUS_M = 5_000;
export const MAX_RADIUS_M = 50_000;
export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;
/**
 * With open_only, rows read per query at least, whatever the page size: each query sorts every
 * merchant in the box, so reading them one page (of 1) at a time multiplied that work.
 */
export const MIN_CHUNK_ROWS = 100;
/**
 * Rows one call examines at most (so at most ~5 queries): past it a page of open merchants is
 * returned short, with a token to continue from the last row examined. Unbounded, a page of 1 near
 * 10,000 closed merchants ran 74 s of queries, long after the caller had given up.
 */
export const MAX_EXAMINED_ROWS = 500;

export interface ListMerchantsInput {
  readonly near: GeoPoint | undefined;
  readonly radiusM: number;
  readonly openOnly: boolean;
  readonly pageSize: number;
  readonly pageToken: string;
}

export interface ListOptions {
  /** Aborted when the caller cancels or its deadline passes: no further query is started. */
  readonly signal?: AbortSignal | undefined;
}

export interface MerchantPage {
  readonly merchants: readonly { readonly merchant: MerchantView; readonly distanceM: number }[];
  readonly nextPageToken: string;
}

export function listingUseCases({ store, clock, logger, warnIfZoneUnusable }: UseCaseDeps) {
  // Listed as CLOSED (isOpenAt), and logged once per merchant and process.
  const warnZone = warnIfZoneUnusable ?? createZoneWarning(logger);
  return {
    /**
     * Merchants nearest first (ties by id) that deliver to `near`: a customer browses what it can
     * order. The store filters by distance, delivery radius and pause flags; opening
     * hours are evaluated here by the domain rule, so with open_only the store is read in chunks
     * until the page is full, MAX_EXAMINED_ROWS are examined or the call is abandoned: then the
     * page is short (even empty) and its token continues the search (docs/api.md). The token is
     * the position of the last merchant examined.
     */
    async listMerchants(
      input: ListMerchantsInput,
      options: ListOptions = {},
    ): Promise<Result<MerchantPage, CodedError>> {
      const problems = validatePoint(input.near, 'near');
      if (input.radiusM > MAX_RADIUS_M) problems.push(field('radius_m', `at most ${MAX_RADIUS_M}`));
      if (problems.length > 0 || !input.near) return err(Errors.invalidArgument(problems));
      const center = input.near;
      const radiusM = input.radiusM || DEFAULT_RADIUS_M;
      const size = Math.min(input.pageSize || DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE);
      const query = [center.lat, center.lng, radiusM, input.openOnly ? 1 : 0].join('|');
      let after = decodePageToken(input.pageToken, query);
      if (after === 'invalid')
        return err(Errors.invalidArgument([field('page_token', 'not a token of this query')]));

      const now = clock.now();
      // Without open_only every row found is on the page: one query of a page and one more row.
      const chunkSize = input.openOnly ? Math.max(size + 1, MIN_CHUNK_ROWS) : size + 1;
      const merchants: { merchant: MerchantView; distanceM: number }[] = [];
      let examined = 0;
      for (;;) {
        // After the first query `after` is a row examined. (An abandoned call's answer is
        // dropped; stopping is what matters.)
        if (examined > 0 && (examined >= MAX_EXAMINED_ROWS || options.signal?.aborted))
          return ok({ merchants, nextPageToken: encodePageToken(after!, query) });
        const chunk = await store.repo.findNear({
          center,
          radiusM,
          after,
          limit: chunkSize,
          unpausedOnly: input.openOnly,
        });
        examined += chunk.length;
        for (const row of chunk) {
          warnZone(row.merchant);
          const merchant = viewOf(row.merchant, now);
          if (input.openOnly && merchant.status !== 'OPEN') {
            after = { distanceM: row.distanceM, id: row.merchant.id };
            continue;
          }
          if (merchants.length === size) {
            // A full page and at least one more match (this row, or rows after the chunk).
            return ok({ merchants, nextPageToken: encodePageToken(after!, query) });
          }
          merchants.push({ merchant, distanceM: row.distanceM });
          after = { distanceM: row.distanceM, id: row.merchant.id };
        }
        if (chunk.length < chunkSize) return ok({ merchants, nextPageToken: '' });
      }
    },
  };
}
