import { err, ok, type CodedError, type Result } from '@mealpeak/core';
import { Errors, field } from '../domain/errors.ts';
import { validatePoint } from '../domain/geo.ts';
import type { GeoPoint } from '../domain/types.ts';
import type { UseCaseDeps } from './deps.ts';
import { decodePageToken, encodePageToken } from './page-token.ts';
import { viewOf, type MerchantView } from './views.ts';

export const DEFAULT_RADIUS_M = 5_000;
export const MAX_RADIUS_M = 50_000;
export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

export interface ListMerchantsInput {
  readonly near: GeoPoint | undefined;
  readonly radiusM: number;
  readonly openOnly: boolean;
  readonly pageSize: number;
  readonly pageToken: string;
}

export interface MerchantPage {
  readonly merchants: readonly { readonly merchant: MerchantView; readonly distanceM: number }[];
  readonly nextPageToken: string;
}

export function listingUseCases({ store, clock }: UseCaseDeps) {
  return {
    /**
     * Merchants nearest first (ties by id) that deliver to `near`: a customer browses what it can
     * order. The store filters by distance, delivery radius and pause flags; opening
     * hours are evaluated here by the domain rule, so with open_only the store is read in chunks
     * until the page is full. The token is the position of the last merchant examined.
     */
    async listMerchants(input: ListMerchantsInput): Promise<Result<MerchantPage, CodedError>> {
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
      const merchants: { merchant: MerchantView; distanceM: number }[] = [];
      for (;;) {
        const chunk = await store.repo.findNear({
          center,
          radiusM,
          after,
          limit: size + 1,
          unpausedOnly: input.openOnly,
        });
        for (const row of chunk) {
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
        if (chunk.length <= size) return ok({ merchants, nextPageToken: '' });
      }
    },
  };
}
