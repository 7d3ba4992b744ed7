import type { FieldError } from './errors.ts';
import { PROFILE_FIELD_RULES, type MerchantProfile } from './merchant-profile.ts';
import { canonicalTimeZone } from './opening-hours.ts';
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
  ...(change.address === undefined ? {} : { address: change.address.trim() }),
  ...(change.timeZone === undefined
    ? {}
    : { timeZone: canonicalTimeZone(change.timeZone) ?? change.timeZone }),
});

/** The merchant with the given fields of `change` (normalised) and every other field as it was. */
export function withProfileChange(merchant: Merchant, change: ProfileChange): Merchant {
  const set = Object.entries(normalisedChange(change)).filter(
    ([k, v]) => v !== undefined && (MERCHANT_EDITABLE as readonly string[]).includes(k),
  );
  return { ...merchant, ...(Object.fromEntries(set) as Partial<Merchant>) };
}
