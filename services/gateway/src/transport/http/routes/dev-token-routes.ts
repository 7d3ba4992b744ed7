import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { devTokenRateLimit } from '../admission.ts';
import { issueToken } from '../auth.ts';
import { errorResponses } from '../schemas/common.ts';
import { DevToken, DevTokenBody } from '../schemas/dev-tokens.ts';

const DEFAULT_TTL_SECONDS = 3_600;

/**
 * POST /v1/dev/tokens: signs a token for any role and subject. Registered only when
 * DEV_TOKENS_ENABLED (never in production, which the config refuses).
 */
export function devTokenRoutes(perMinute: number): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.post(
      '/tokens',
      {
        config: { auth: 'public', rateLimit: devTokenRateLimit(perMinute) },
        schema: {
          tags: ['dev'],
          summary: 'Issue a token for local runs and tests',
          description:
            'Only when DEV_TOKENS_ENABLED=true (default outside production). Limited per client address.',
          body: DevTokenBody,
          response: { 201: DevToken, ...errorResponses(400, 413, 415, 429) },
        },
      },
      async (request, reply) => {
        const { role, sub, ttlSeconds } = request.body;
        const issued = issueToken(app.jwt, { role, id: sub }, ttlSeconds ?? DEFAULT_TTL_SECONDS);
        return reply
          .code(201)
          .send({ token: issued.token, tokenType: 'Bearer' as const, expiresAt: issued.expiresAt });
      },
    );
  };
}
