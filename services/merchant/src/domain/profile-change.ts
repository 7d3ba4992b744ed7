import type { FieldError } from './errors.ts';
import {
  MAX_AUTO_PAUSE_BACKLOG,
  PROFILE_FIELD_RULES,
  PROFILE_NORMALISE,
  type MerchantProfile,
} from './merchant-profile.ts';
import type { Merchant } from './types.ts';

/**
 * The fields of its profile a merchant edits itself (UpdateMerchantProfile, the gateway's
 * PATCH /v1/merchant). The others stay with onboarding (UpsertMerchant): the location moves the
 * pickup point and the delivery area, the radius is the platform's delivery promise, the currency
 * prices the menu, and the auto-pause threshold is the platform's guard of that promise
 * (docs/merchant.md, "Profile edits by the merchant").
 */
export const MERCHANT_EDITABLE = [
  'name',
  'address',
  'timeZone',
  'openingHours',
  'kitchenCapacity',
  'basePrepSeconds',
] as const;

export type MerchantEditable = (typeof MERCHANT_EDITABLE)[number];

/** An edit of the profile: a field left undefined stays as it is. */
export type ProfileChange = {
  readonly [K in MerchantEditable]?: Exclude<MerchantProfile[K], undefined> | undefined;
};

const check = <T>(value: T | undefined, rule: (value: T) => FieldError[]) =>
  value === undefined ? [] : rule(value);

/** Each given field checked by the rule UpsertMerchant applies to it (PROFILE_FIELD_RULES). */
export function validateProfileChange(change: ProfileChange): FieldError[] {
  const rules = PROFILE_FIELD_RULES;
  return [
    ...check(change.name, rules.name),
    ...check(change.address, rules.address),
    ...check(change.timeZone, rules.timeZone),
    ...check(change.openingHours, rules.openingHours),
    ...check(change.kitchenCapacity, rules.kitchenCapacity),
    ...check(change.basePrepSeconds, rules.basePrepSeconds),
  ];
}

export const isEmptyChange = (change: ProfileChange): boolean =>
  MERCHANT_EDITABLE.every((k) => change[k] === undefined);

/** The change as it is stored, normalised as UpsertMerchant normalises a profile (profileOf). */
export const normalisedChange = (change: ProfileChange): ProfileChange => ({
  ...change,
  ...(change.address === undefined ? {} : { address: PROFILE_NORMALISE.address(change.address) }),
  ...(change.timeZone === undefined ? {} : { timeZone: PROFILE_NORMALISE.timeZone(change.timeZone) }),
});

/** What an edit writes: the merchant's fields, and what follows from them. */
export type StoredProfileChange = ProfileChange & { readonly autoPauseBacklog?: number | undefined };

/**
 * The auto-pause threshold after a merchant changes its capacity: the same multiple of the new
 * capacity as ops set for the old one (rounded, at least 1), 0 (off) staying off; undefined when
 * the capacity does not change. The threshold is the platform's guard of its promised times and
 * stays out of the merchant's reach, but a fixed one would turn against the kitchen: one that
 * doubles its staff at lunch (capacity 4 to 8, threshold 12) would be paused with a backlog of
 * 12, half a round of work, and one that halves it would quote ever longer times before a pause.
 */
export function autoPauseFollowingCapacity(
  current: Pick<Merchant, 'kitchenCapacity' | 'autoPauseBacklog'>,
  newCapacity: number | undefined,
): number | undefined {
  if (newCapacity === undefined || newCapacity === current.kitchenCapacity) return undefined;
  if (current.autoPauseBacklog === 0 || current.kitchenCapacity <= 0) return undefined;
  const scaled = Math.round((current.autoPauseBacklog * newCapacity) / current.kitchenCapacity);
  return Math.min(MAX_AUTO_PAUSE_BACKLOG, Math.max(1, scaled));
}

/** The change as stored onto `current` (the locked row): normalised, with what follows from it. */
export function storedChange(current: Merchant, change: ProfileChange): StoredProfileChange {
  const autoPauseBacklog = autoPauseFollowingCapacity(current, change.kitchenCapacity);
  return {
    ...normalisedChange(change),
    ...(autoPauseBacklog === undefined ? {} : { autoPauseBacklog }),
  };
}

const STORED_FIELDS: readonly string[] = [...MERCHANT_EDITABLE, 'autoPauseBacklog'];

/** The merchant with the given fields of `change` (normalised) and every other field as it was. */
export function withProfileChange(merchant: Merchant, change: StoredProfileChange): Merchant {
  const set = Object.entries(normalisedChange(change)).filter(
    ([k, v]) => v !== undefined && STORED_FIELDS.includes(k),
  );
  return { ...merchant, ...(Object.fromEntries(set) as Partial<Merchant>) };
}
