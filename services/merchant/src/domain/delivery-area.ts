import { Errors, type MerchantError } from './errors.ts';
import { distanceMeters } from './geo.ts';
import type { GeoPoint, Merchant } from './types.ts';

/**
 * Whether the merchant delivers to `dropoff`: within its delivery radius, as the crow flies from
 * its location (the same great-circle distance the merchant listing filters by). No drop-off, no
 * refusal: a ReserveStock from before the field existed (rolling upgrade) is not turned away.
 */
export function deliveryAreaRefusal(
  merchant: Pick<Merchant, 'location' | 'deliveryRadiusM'>,
  dropoff: GeoPoint | undefined,
): MerchantError | undefined {
  if (!dropoff) return undefined;
  const distance = distanceMeters(merchant.location, dropoff);
  return distance > merchant.deliveryRadiusM
    ? Errors.outOfDeliveryArea(distance, merchant.deliveryRadiusM)
    : undefined;
}
