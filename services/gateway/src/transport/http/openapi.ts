import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { SHARED_SCHEMAS } from './schemas/common.ts';
import { DISPATCH_SCHEMAS } from './schemas/dispatch.ts';
import { DISPATCH_STATUS_SCHEMAS } from './schemas/dispatch-status.ts';
import { MERCHANT_SCHEMAS } from './schemas/merchants.ts';
import { ORDER_SCHEMAS } from './schemas/orders.ts';
import './route-config.ts';

export const API_VERSION = '1.0.0';

interface Operation {
  requestBody?: { required?: boolean; content?: Record<string, { schema?: { required?: unknown[] } }> };
}

interface ObjectSchema {
  required?: string[];
  properties?: Record<string, { default?: unknown }>;
}

/** A query parameter with a default may be left out; the schema lists it as required for typing. */
function defaultsOptional(schema: unknown): unknown {
  const s = schema as ObjectSchema | undefined;
  if (!s?.required) return schema;
  return { ...s, required: s.required.filter((name) => s.properties?.[name]?.default === undefined) };
}

/**
 * @fastify/swagger marks every request body required; a body without required fields (cancel,
 * accept) may be left out entirely, which the validator accepts (validation.ts), so say so.
 */
function markOptionalBodies<T>(document: T): T {
  const paths = (document as { paths?: Record<string, Record<string, Operation>> }).paths ?? {};
  for (const operation of Object.values(paths).flatMap((p) => Object.values(p))) {
    const schema = operation.requestBody?.content?.['application/json']?.schema;
    if (operation.requestBody && schema && !schema.required?.length) operation.requestBody.required = false;
  }
  return document;
}

const DESCRIPTION = [
  'REST API of mealpeak for customers, merchants, riders and ops. JSON only; money in integer',
  'minor units with an ISO 4217 currency; times in ISO 8601 UTC. Authentication: bearer JWT',
  '(HS256, issuer "mealpeak", claims sub and role). Every error has the shape of the Error',
  'schema. Guide with examples, error catalogue, idempotency and rate limits: docs/api.md.',
].join(' ');

/**
 * Response schemas registered once (components in the document), then @fastify/swagger, which
 * must come before the routes it describes. Served at /docs (UI) and /docs/json.
 */
export async function registerOpenApi(app: FastifyInstance): Promise<void> {
  for (const schema of [
    ...SHARED_SCHEMAS,
    ...ORDER_SCHEMAS,
    ...MERCHANT_SCHEMAS,
    ...DISPATCH_SCHEMAS,
    ...DISPATCH_STATUS_SCHEMAS,
  ])
    app.addSchema(schema);

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'mealpeak API', version: API_VERSION, description: DESCRIPTION },
      tags: [
        {
          name: 'customers',
          description: 'Role customer: browse merchants, place orders, track them and their rider',
        },
        { name: 'merchants', description: 'Role merchant: incoming orders, menu, stock, opening state' },
        {
          name: 'riders',
          description: 'Role rider: shift, position pings, offers, pickup and delivery',
        },
        { name: 'ops', description: 'Role ops: any order, counts by state, cancelling' },
        { name: 'dev', description: 'Local development only (DEV_TOKENS_ENABLED)' },
      ],
      components: {
        securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      },
    },
    // Components named after the schema $id (Order, Money...) rather than def-0, def-1...
    refResolver: {
      buildLocalReference: (json, _baseUri, _fragment, i) =>
        typeof json['$id'] === 'string' ? json['$id'] : `def-${i}`,
    },
    transformObject: (document) =>
      markOptionalBodies('openapiObject' in document ? document.openapiObject : document.swaggerObject),
    // The roles a route allows (config.auth) become its security requirement and description.
    transform: ({ schema, url, route }) => {
      const documented = schema.querystring
        ? { ...schema, querystring: defaultsOptional(schema.querystring) }
        : schema;
      const auth = route.config?.auth;
      if (!Array.isArray(auth)) return { schema: documented, url };
      const roles = `Roles: ${auth.join(', ')}.`;
      return {
        url,
        schema: {
          ...documented,
          security: [{ bearerAuth: [] }],
          description: schema.description ? `${schema.description}\n\n${roles}` : roles,
        },
      };
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
}
