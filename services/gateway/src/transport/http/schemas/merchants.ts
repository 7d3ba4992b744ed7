import { Type } from 'typebox';
import { NOT_BLANK } from '../field-errors.ts';
import { GeoPoint, Id, Money, MoneyInput, PageQuery, ref } from './common.ts';

export const MERCHANT_STATUSES = ['OPEN', 'PAUSED', 'AUTO_PAUSED', 'CLOSED'] as const;
export type MerchantStatusName = (typeof MERCHANT_STATUSES)[number];

export const Merchant = Type.Object(
  {
    id: Type.String(),
    name: Type.String(),
    address: Type.Optional(
      Type.String({ description: 'Street address (what riders are sent to); absent when none is on file' }),
    ),
    location: ref(GeoPoint),
    timeZone: Type.String({ description: 'IANA time zone of the opening hours' }),
    openingHours: Type.Array(
      Type.Object(
        {
          dayOfWeek: Type.Integer({ minimum: 0, maximum: 6, description: '0 = Monday' }),
          openMinute: Type.Integer({ description: 'Minutes after local midnight' }),
          closeMinute: Type.Integer({ description: 'Minutes after local midnight' }),
        },
        { additionalProperties: false },
      ),
    ),
    status: Type.Enum([...MERCHANT_STATUSES], {
      description: 'AUTO_PAUSED: paused by the platform (kitchen backlog); CLOSED: outside opening hours',
    }),
    prepEstimateSeconds: Type.Integer({ description: 'Current preparation estimate for a new order' }),
    deliveryRadiusM: Type.Integer({
      description:
        'Farthest drop-off the merchant delivers to, metres as the crow flies; placing an order beyond it is refused with 409 OUT_OF_DELIVERY_AREA',
    }),
    distanceM: Type.Optional(Type.Integer({ description: 'Distance from the searched point (lists only)' })),
    kitchen: Type.Optional(
      Type.Object(
        {
          capacity: Type.Integer({ description: 'Orders the kitchen prepares at once' }),
          backlog: Type.Integer({ description: 'Accepted orders not yet ready' }),
          autoPauseBacklog: Type.Integer({ description: 'Backlog at which the platform pauses the store' }),
          basePrepSeconds: Type.Optional(
            Type.Integer({
              description:
                'Preparation time of one order with an idle kitchen (what PATCH /v1/merchant sets; prepEstimateSeconds adds the backlog). Absent while the merchant service runs an older release',
            }),
          ),
        },
        { additionalProperties: false, description: 'Shown to the merchant itself only' },
      ),
    ),
  },
  { $id: 'Merchant', additionalProperties: false },
);

export const MenuItem = Type.Object(
  {
    id: Type.String(),
    name: Type.String(),
    description: Type.Optional(Type.String({ description: 'Absent when the item has none' })),
    price: ref(Money),
    stock: Type.Integer({ description: 'Units left (open orders already subtracted)' }),
    available: Type.Boolean(),
  },
  { $id: 'MenuItem', additionalProperties: false },
);

export const MerchantPage = Type.Object(
  {
    merchants: Type.Array(ref(Merchant)),
    nextPageToken: Type.Optional(
      Type.String({
        description:
          'Opaque: send it back unchanged as pageToken, with the same query. Absent on the last page, and only there: with openOnly a page may hold fewer merchants than pageSize, even none (each call examines a bounded number of merchants, closed ones included), so an empty list with a token means "keep going", not "nothing near you"',
      }),
    ),
  },
  { $id: 'MerchantPage', additionalProperties: false },
);

export const MerchantWithMenu = Type.Object(
  { merchant: ref(Merchant), menu: Type.Array(ref(MenuItem)) },
  { $id: 'MerchantWithMenu', additionalProperties: false },
);

export const MerchantListQuery = Type.Object(
  {
    lat: Type.Number({ minimum: -90, maximum: 90 }),
    lng: Type.Number({ minimum: -180, maximum: 180 }),
    radiusM: Type.Integer({ minimum: 100, maximum: 50_000, default: 5_000 }),
    openOnly: Type.Boolean({ default: true }),
    ...PageQuery,
  },
  { additionalProperties: false },
);

export const MerchantIdParam = Type.Object(
  { merchantId: Id('Merchant id') },
  { additionalProperties: false },
);
export const ItemIdParam = Type.Object({ itemId: Id('Menu item id') }, { additionalProperties: false });

export const MenuItemBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    description: Type.Optional(Type.String({ maxLength: 2_000 })),
    price: MoneyInput,
    stock: Type.Integer({ minimum: 0, maximum: 1_000_000 }),
    available: Type.Boolean(),
  },
  { additionalProperties: false },
);

/** PUT replaces an item; without `stock` it keeps the units left (orders may have taken some since). */
export const MenuItemReplaceBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    description: Type.Optional(Type.String({ maxLength: 2_000 })),
    price: MoneyInput,
    stock: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: 1_000_000,
        description:
          'Units left now (as PUT …/stock). Leave it out to keep the current figure: a value read earlier would undo the units orders took since',
      }),
    ),
    available: Type.Boolean(),
  },
  { additionalProperties: false },
);

/** Exactly one of `stock` and `add` (checked by the route: a 400 naming the field). */
export const StockBody = Type.Object(
  {
    stock: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: 1_000_000,
        description:
          'Units left now. A figure computed from one read earlier gives back the units orders took since: restock with `add`, or send `expectedStock`',
      }),
    ),
    add: Type.Optional(
      Type.Integer({
        minimum: -1_000_000,
        maximum: 1_000_000,
        description:
          'Units to add (negative: remove, e.g. spoilage), atomically. 409 STOCK_INSUFFICIENT if fewer are left than removed. Not idempotent: send an Idempotency-Key',
      }),
    ),
    expectedStock: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: 2_147_483_647,
        description:
          'With `stock` only: write it only if the units left are this many now, else 409 STOCK_CHANGED (the message gives the current figure)',
      }),
    ),
  },
  { additionalProperties: false },
);

export const StatusBody = Type.Object(
  {
    status: Type.Enum(['OPEN', 'PAUSED'], {
      description: 'The platform alone sets AUTO_PAUSED and CLOSED',
    }),
  },
  { additionalProperties: false },
);

const OpeningWindowInput = Type.Object(
  {
    dayOfWeek: Type.Integer({ minimum: 0, maximum: 6, description: '0 = Monday' }),
    openMinute: Type.Integer({ minimum: 0, maximum: 1439, description: 'Minutes after local midnight' }),
    closeMinute: Type.Integer({
      minimum: 1,
      maximum: 1440,
      description: 'Minutes after local midnight; before openMinute: the window runs past midnight',
    }),
  },
  { additionalProperties: false },
);

/** The fields a merchant edits itself; the route refuses a body with none (docs/merchant.md). */
export const MERCHANT_PROFILE_FIELDS = [
  'name',
  'address',
  'timeZone',
  'openingHours',
  'kitchenCapacity',
  'basePrepSeconds',
] as const;

/**
 * PATCH /v1/merchant: every field optional, at least one (checked by the route). The merchant
 * service judges each as onboarding's are judged (an unknown IANA zone, an address over 300
 * characters once trimmed...): a 400 naming the field.
 */
export const MerchantProfileBody = Type.Object(
  {
    name: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 200,
        pattern: NOT_BLANK,
        description: 'Store name; orders already placed keep the name they were placed with',
      }),
    ),
    address: Type.Optional(
      Type.String({
        description:
          'Street address riders are sent to: one line, up to 300 characters after trimming; "" removes it. Orders already placed keep theirs',
      }),
    ),
    timeZone: Type.Optional(
      Type.String({ minLength: 1, description: 'IANA time zone of the opening hours, e.g. Europe/Berlin' }),
    ),
    openingHours: Type.Optional(
      Type.Array(OpeningWindowInput, {
        maxItems: 50,
        description: 'Replaces every window (a union; [] means never open)',
      }),
    ),
    kitchenCapacity: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 1000, description: 'Orders the kitchen prepares at once' }),
    ),
    basePrepSeconds: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 14_400,
        description: 'Preparation time of one order with an idle kitchen',
      }),
    ),
  },
  { additionalProperties: false },
);

export const MERCHANT_SCHEMAS = [Merchant, MenuItem, MerchantPage, MerchantWithMenu];
