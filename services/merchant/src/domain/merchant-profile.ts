import { textProblem } from '@mealpeak/core';
import { addressProblem } from './address.ts';
import { field, type FieldError } from './errors.ts';
import { validatePoint } from './geo.ts';
import { MAX_PREP_ESTIMATE_SECONDS } from './kitchen.ts';
import { canonicalTimeZone, isValidTimeZone, validateOpeningHours } from './opening-hours.ts';
import type { GeoPoint, OpeningWindow } from './types.ts';

/** What onboarding sets (UpsertMerchant); status and backlog are the service's own. */
export interface MerchantProfile {
  readonly id: string;
  readonly name: string;
  readonly location: GeoPoint;
  readonly timeZone: string;
  readonly openingHours: readonly OpeningWindow[];
  readonly kitchenCapacity: number;
  readonly autoPauseBacklog: number;
  readonly basePrepSeconds: number;
  readonly currency: string;
  readonly deliveryRadiusM: number;
  /** Street address; undefined keeps the stored one (a caller that does not know the field). */
  readonly address: string | undefined;
}

export interface MenuItemInput {
  readonly name: string;
  readonly description: string;
  readonly priceMinor: number | undefined;
  readonly currency: string;
  /** Undefined: not given (allowed when replacing an item). */
  readonly stock: number | undefined;
}

const MAX_ID = 64;
const MAX_TEXT = 200;
/** Stock and counters are PostgreSQL integers. */
export const MAX_INT = 2_147_483_647;
/**
 * The most units an `add` may leave (the API's stock range, docs/api.md): absolute figures up to
 * MAX_INT stay writable over gRPC, but repeated adds must not walk the stock out of the API's range.
 */
export const MAX_STOCK = 1_000_000;
const CURRENCY = /^[A-Z]{3}$/;
const ID = /^[A-Za-z0-9_.:-]+$/;

/** An integer from min to max, both included. */
export const between = (v: number, min: number, max: number) => Number.isInteger(v) && v >= min && v <= max;

export function validateId(id: string, name: string): FieldError[] {
  if (id.length === 0) return [field(name, 'is required')];
  if (id.length > MAX_ID || !ID.test(id)) return [field(name, `must be 1-${MAX_ID} of A-Z a-z 0-9 _ . : -`)];
  return [];
}

function validateName(name: string, at: string): FieldError[] {
  if (name.trim().length === 0) return [field(at, 'is required')];
  const problem = textProblem(name, MAX_TEXT);
  return problem ? [field(at, problem)] : [];
}

/**
 * A profile as it arrives: the proto location is optional, a delivery radius of 0 means the default,
 * and a caller from before addresses may leave the address out.
 */
export type ProfileInput = Omit<MerchantProfile, 'location' | 'address'> & {
  readonly location: GeoPoint | undefined;
  readonly address?: string | undefined;
};

/**
 * Delivery radius bounds: 5 km is a typical urban food-delivery radius (what riders cover in the
 * promised time); 50 km is the widest browse radius, so every merchant that delivers to a point
 * can be found from it.
 */
export const DEFAULT_DELIVERY_RADIUS_M = 5_000;
export const MIN_DELIVERY_RADIUS_M = 100;
export const MAX_DELIVERY_RADIUS_M = 50_000;

/** The profile to store, defaults applied; call after validateProfile found nothing. */
/**
 * How a profile field is stored once valid, for UpsertMerchant (profileOf) and a merchant's own
 * edit (profile-change.ts) alike: the address trimmed, the zone as Intl names it.
 */
export const PROFILE_NORMALISE = {
  address: (address: string) => address.trim(),
  timeZone: (zone: string) => canonicalTimeZone(zone) ?? zone,
} as const;

export const profileOf = (input: ProfileInput & { readonly location: GeoPoint }): MerchantProfile => ({
  ...input,
  deliveryRadiusM: input.deliveryRadiusM || DEFAULT_DELIVERY_RADIUS_M,
  address: input.address === undefined ? undefined : PROFILE_NORMALISE.address(input.address),
  timeZone: PROFILE_NORMALISE.timeZone(input.timeZone),
});

/** The most auto_pause_backlog may be. */
export const MAX_AUTO_PAUSE_BACKLOG = 100_000;

const given = (problem: string | undefined, at: string): FieldError[] =>
  problem ? [field(at, problem)] : [];

/**
 * The rule of each profile field, one function per field: UpsertMerchant checks every field with
 * these, UpdateMerchantProfile (profile-change.ts) only the fields it is given, so the two can never
 * disagree on what a field may hold.
 */
export const PROFILE_FIELD_RULES = {
  name: (name: string) => validateName(name, 'name'),
  openingHours: (hours: readonly OpeningWindow[]) => validateOpeningHours(hours),
  timeZone: (zone: string) =>
    given(isValidTimeZone(zone) ? undefined : 'must be an IANA time zone', 'time_zone'),
  kitchenCapacity: (n: number) =>
    given(between(n, 1, 1000) ? undefined : 'must be 1 to 1000', 'kitchen_capacity'),
  autoPauseBacklog: (n: number) =>
    given(
      between(n, 0, MAX_AUTO_PAUSE_BACKLOG) ? undefined : `must be 0 (off) to ${MAX_AUTO_PAUSE_BACKLOG}`,
      'auto_pause_backlog',
    ),
  // No longer than the longest estimate quoted: a longer base time would be quoted as the cap.
  basePrepSeconds: (n: number) =>
    given(
      between(n, 1, MAX_PREP_ESTIMATE_SECONDS) ? undefined : `must be 1 to ${MAX_PREP_ESTIMATE_SECONDS}`,
      'base_prep_seconds',
    ),
  currency: (code: string) =>
    given(CURRENCY.test(code) ? undefined : 'must be an ISO 4217 code like EUR', 'currency'),
  address: (address: string) => given(addressProblem(address), 'address'),
  deliveryRadiusM: (m: number) =>
    given(
      m === 0 || between(m, MIN_DELIVERY_RADIUS_M, MAX_DELIVERY_RADIUS_M)
        ? undefined
        : `must be ${MIN_DELIVERY_RADIUS_M} to ${MAX_DELIVERY_RADIUS_M} (0: ${DEFAULT_DELIVERY_RADIUS_M})`,
      'delivery_radius_m',
    ),
} as const;

export function validateProfile(p: ProfileInput): FieldError[] {
  const rules = PROFILE_FIELD_RULES;
  return [
    ...validateId(p.id, 'merchant_id'),
    ...rules.name(p.name),
    ...validatePoint(p.location, 'location'),
    ...rules.openingHours(p.openingHours),
    ...rules.timeZone(p.timeZone),
    ...rules.kitchenCapacity(p.kitchenCapacity),
    ...rules.autoPauseBacklog(p.autoPauseBacklog),
    ...rules.basePrepSeconds(p.basePrepSeconds),
    ...rules.currency(p.currency),
    ...(p.address === undefined ? [] : rules.address(p.address)),
    ...rules.deliveryRadiusM(p.deliveryRadiusM),
  ];
}

/** Shape of a menu item (price in minor units); the currency is checked against the merchant's apart. */
export function validateMenuItem(item: MenuItemInput): FieldError[] {
  const problems = [...validateName(item.name, 'name')];
  const description = textProblem(item.description, 2_000);
  if (description) problems.push(field('description', description));
  if (item.priceMinor === undefined) problems.push(field('price', 'is required'));
  else if (!Number.isSafeInteger(item.priceMinor) || item.priceMinor < 0)
    problems.push(field('price.amount_minor', 'must be a non-negative integer'));
  if (item.stock !== undefined && !between(item.stock, 0, MAX_INT))
    problems.push(field('stock', `must be 0 to ${MAX_INT}`));
  return problems;
}
