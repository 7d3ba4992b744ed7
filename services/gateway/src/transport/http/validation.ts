import type { FastifyInstance, FastifySchemaCompiler } from 'fastify';
import { Type, type TSchema } from 'typebox';
import { Compile } from 'typebox/compile';
import { Value } from 'typebox/value';

/**
 * Request validation with TypeBox's compiler instead of fastify's default Ajv setup, because that
 * setup (one Ajv for every part, see docs/adr/0007) silently removes unknown fields and coerces
 * body types ("2" becomes 2), while we want both rejected with a 400 naming the field. Bodies are
 * checked as sent; querystring, params and headers arrive as strings, so they are converted first,
 * strictly (`5.5` is not an integer), and get their schema defaults.
 */
export const validatorCompiler: FastifySchemaCompiler<TSchema> = ({ schema, httpPart }) => {
  const check = Compile(schema);
  if (httpPart === 'body') {
    return (value: unknown) => {
      // No body at all is judged as `{}`: "merchantId is required" says more than "must be object".
      const body = value ?? {};
      return check.Check(body) ? { value: body } : { error: check.Errors(body) };
    };
  }
  return (value: unknown) => {
    const converted = Value.Default(schema, convertStrings(schema, value));
    return check.Check(converted) ? { value: converted } : { error: check.Errors(converted) };
  };
};

interface PropertySchema {
  readonly type?: string;
  readonly items?: PropertySchema;
  readonly properties?: Readonly<Record<string, PropertySchema>>;
}

const INTEGER = /^-?\d{1,15}$/;
const NUMBER = /^-?\d{1,15}(\.\d{1,15})?$/;

function convertOne(schema: PropertySchema | undefined, value: unknown): unknown {
  if (!schema) return value;
  if (schema.type === 'array') {
    return (Array.isArray(value) ? value : [value]).map((v) => convertOne(schema.items, v));
  }
  if (typeof value !== 'string') return value;
  switch (schema.type) {
    case 'integer':
      return INTEGER.test(value) ? Number(value) : value;
    case 'number':
      return NUMBER.test(value) ? Number(value) : value;
    case 'boolean':
      return value === 'true' ? true : value === 'false' ? false : value;
    default:
      return value;
  }
}

function convertStrings(schema: PropertySchema, value: unknown): unknown {
  if (typeof value !== 'object' || value === null || !schema.properties) return value;
  const out: Record<string, unknown> = { ...(value as Record<string, unknown>) };
  for (const [name, raw] of Object.entries(out)) out[name] = convertOne(schema.properties[name], raw);
  return out;
}

/**
 * A /v1 route without a querystring schema would take any query parameter in silence, while the
 * routes with one refuse unknown ones (400 UNKNOWN_FIELD, docs/api.md#conventions). So such routes
 * get a schema without parameters. Must be registered before the routes; the OpenAPI document
 * shows it as no parameters at all.
 */
export function refuseUndeclaredQueries(app: FastifyInstance): void {
  app.addHook('onRoute', (route) => {
    if (!route.url.startsWith('/v1') || route.schema?.querystring !== undefined) return;
    route.schema = { ...route.schema, querystring: Type.Object({}, { additionalProperties: false }) };
  });
}
