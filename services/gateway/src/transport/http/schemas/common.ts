import { Type, type Static, type TSchema } from 'typebox';
import { ID_PATTERN } from '../../../app/principal.ts';

/**
 * Schemas shared by several routes. Response schemas carry an `$id`, are registered once with
 * `app.addSchema` and referenced with `ref()`: one component each in the OpenAPI document, and
 * the handlers still get the static type. Request schemas are inlined (the validator compiles
 * each on its own), so the input variants below have no `$id`.
 */
export function ref<T extends TSchema>(schema: T, description?: string) {
  const id = (schema as { $id?: unknown }).$id;
  if (typeof id !== 'string') throw new Error('ref() needs a schema with an $id');
  return Type.Unsafe<Static<T>>(description ? { $ref: `${id}#`, description } : { $ref: `${id}#` });
}

export const Id = (description: string) => Type.String({ pattern: ID_PATTERN, description });
export const OrderIdParam = Type.Object(
  { orderId: Type.String({ format: 'uuid', description: 'Order id (UUID)' }) },
  { additionalProperties: false },
);

/** For actions without parameters: no body, or `{}`; anything else is an unknown field. */
export const NoBody = Type.Object(
  {},
  { additionalProperties: false, description: 'No fields: send no body or {}' },
);

export const DateTime = (description: string) => Type.String({ format: 'date-time', description });

const moneyProperties = () => ({
  amountMinor: Type.Integer({
    minimum: 0,
    maximum: 100_000_000,
    description: 'Amount in minor units of the currency (cents for EUR).',
  }),
  currency: Type.String({ pattern: '^[A-Z]{3}$', description: 'ISO 4217 code, e.g. EUR.' }),
});
const geoProperties = () => ({
  lat: Type.Number({ minimum: -90, maximum: 90, description: 'WGS84 latitude in degrees' }),
  lng: Type.Number({ minimum: -180, maximum: 180, description: 'WGS84 longitude in degrees' }),
});

export const MoneyInput = Type.Object(moneyProperties(), { additionalProperties: false });
export const GeoPointInput = Type.Object(geoProperties(), { additionalProperties: false });

export const Money = Type.Object(moneyProperties(), {
  $id: 'Money',
  additionalProperties: false,
  description: 'Money in integer minor units with its currency.',
});
export const GeoPoint = Type.Object(geoProperties(), { $id: 'GeoPoint', additionalProperties: false });

export const FieldError = Type.Object(
  {
    field: Type.String({ description: 'JSON path of the field, e.g. lines[0].quantity' }),
    message: Type.String(),
  },
  { $id: 'FieldError', additionalProperties: false },
);

export const ErrorBody = Type.Object(
  {
    code: Type.String({ description: 'Stable machine-readable code, see docs/api.md' }),
    message: Type.String({ description: 'For people; may change.' }),
    requestId: Type.String({ description: 'Also in the x-request-id response header.' }),
    fields: Type.Optional(
      Type.Array(ref(FieldError), {
        description:
          'Fields at fault: on 400, and on 404/409 when a service names the order line (STOCK_EXHAUSTED).',
      }),
    ),
  },
  { $id: 'Error', additionalProperties: false },
);

export const PageQuery = {
  pageSize: Type.Integer({ minimum: 1, maximum: 100, default: 20 }),
  pageToken: Type.Optional(
    Type.String({
      maxLength: 1024,
      description: 'nextPageToken of the previous page; absent or empty: first page',
    }),
  ),
};

export const IdempotencyHeaders = (required: boolean) => {
  const key = Type.String({
    minLength: 1,
    maxLength: 200,
    pattern: '^[A-Za-z0-9._:-]+$',
    description: required
      ? 'Required. Same key and body: the first response is replayed. See docs/api.md#idempotency.'
      : 'Optional. Same key and body: the first response is replayed. See docs/api.md#idempotency.',
  });
  return Type.Object({ 'idempotency-key': required ? key : Type.Optional(key) });
};

const ERROR_DESCRIPTIONS: Record<number, string> = {
  400: 'Invalid request (fields name the problems)',
  401: 'Missing, invalid or expired token',
  403: 'The token role may not call this endpoint',
  404: 'Not found',
  409: 'Conflict with the current state, or an Idempotency-Key conflict',
  413: 'Body larger than the limit',
  415: 'Body is not application/json',
  429: 'Rate limited; see Retry-After',
  503: 'Overloaded or a service behind the gateway is unavailable; see Retry-After',
  504: 'Timed out',
};

/** Error responses for the OpenAPI document (and the serializer), all with the one error shape. */
export function errorResponses(...statuses: number[]) {
  const out: Record<number, TSchema> = {};
  for (const status of statuses) {
    out[status] = Type.Unsafe<Static<typeof ErrorBody>>({
      $ref: 'Error#',
      description: ERROR_DESCRIPTIONS[status] ?? 'Error',
    });
  }
  return out;
}

/** Errors any authenticated endpoint can answer with. */
export const COMMON_ERRORS = [400, 401, 403, 429, 503, 504] as const;

export const SHARED_SCHEMAS = [Money, GeoPoint, FieldError, ErrorBody];
