import { Type } from 'typebox';
import { ID_PATTERN, ROLES } from '../../../app/principal.ts';

export const DevTokenBody = Type.Object(
  {
    role: Type.Enum([...ROLES]),
    sub: Type.String({ pattern: ID_PATTERN, description: 'Customer, merchant, rider or ops user id' }),
    ttlSeconds: Type.Optional(Type.Integer({ minimum: 60, maximum: 86_400, description: 'Default 3600' })),
  },
  { additionalProperties: false },
);

export const DevToken = Type.Object(
  {
    token: Type.String(),
    tokenType: Type.Literal('Bearer'),
    expiresAt: Type.String({ format: 'date-time' }),
  },
  { additionalProperties: false, description: 'A signed token; send it as Authorization: Bearer <token>' },
);
