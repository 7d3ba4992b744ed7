import fastifyJwt, { type FastifyJWTOptions, type JWT } from '@fastify/jwt';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { isPlainId, ROLES, type Principal, type Role } from '../../app/principal.ts';
import { Problems, ProblemError } from './problems.ts';
import './route-config.ts';

declare module '@fastify/jwt' {
  interface FastifyJWT {
    payload: { sub: string; role: Role };
    user: { sub: string; role: Role; exp: number };
  }
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Longest a token may still be valid for (JWT_MAX_TTL_SECONDS). */
    jwtMaxTtlSeconds: number;
  }
}

export const JWT_ISSUER = 'mealpeak';
/** Device clocks and the identity provider's may run a little ahead of ours. */
const CLOCK_SKEW_S = 60;

/**
 * HS256 only, our issuer only, and iss, sub, role and exp must be there: allowedIss alone only
 * checks an iss that is present, so a token without one would pass. With an audience
 * (JWT_AUDIENCE), tokens we sign name it and tokens we accept must: a token the identity
 * provider issued for another service is not one for us. Without one, aud is not checked (as
 * before JWT_AUDIENCE existed: refusing every token that names one would log out every user of an
 * identity provider that always writes it); production should set it (docs/operations.md).
 */
export function jwtOptions(secret: string, audience?: string): FastifyJWTOptions {
  return {
    secret,
    sign: { algorithm: 'HS256', iss: JWT_ISSUER, ...(audience ? { aud: audience } : {}) },
    verify: {
      algorithms: ['HS256'],
      allowedIss: JWT_ISSUER,
      ...(audience ? { allowedAud: audience } : {}),
      requiredClaims: ['iss', 'sub', 'role', 'exp', ...(audience ? ['aud'] : [])],
      cache: 10_000,
    },
  };
}

/** Signs a token for a principal: the dev token route and the issue-token CLI. */
export function issueToken(
  jwt: JWT,
  principal: Principal,
  ttlSeconds: number,
): { token: string; expiresAt: string } {
  const token = jwt.sign({ sub: principal.id, role: principal.role }, { expiresIn: ttlSeconds });
  const exp = jwt.decode<{ exp: number }>(token)?.exp ?? 0;
  return { token, expiresAt: new Date(exp * 1000).toISOString() };
}

type Identity = { ok: true; principal: Principal } | { ok: false; reason: string };

const BEARER = /^Bearer [A-Za-z0-9._~+/-]+=*$/;

async function verify(request: FastifyRequest): Promise<Identity> {
  const header = request.headers.authorization;
  if (header === undefined)
    return { ok: false, reason: 'missing bearer token (Authorization: Bearer <token>)' };
  if (!BEARER.test(header)) return { ok: false, reason: 'the Authorization header must be "Bearer <token>"' };
  try {
    // Signature, issuer and expiry are verified; the claims' content is checked here.
    const claims = await request.jwtVerify<{
      sub?: unknown;
      role?: unknown;
      exp?: unknown;
      iat?: unknown;
    }>();
    // A stolen token should not outlive a day: tokens valid for longer are refused, whatever
    // signed them; and one issued in the future is not ours to believe.
    const now = Date.now() / 1000;
    if (typeof claims.exp === 'number' && claims.exp - now > request.server.jwtMaxTtlSeconds + CLOCK_SKEW_S)
      return { ok: false, reason: `token is valid for longer than ${request.server.jwtMaxTtlSeconds} s` };
    // fast-jwt checks iat only when it is a number: "9999999999" would slip past the check below.
    if (claims.iat !== undefined && (typeof claims.iat !== 'number' || !Number.isFinite(claims.iat)))
      return { ok: false, reason: 'token has an invalid iat' };
    if (typeof claims.iat === 'number' && claims.iat > now + CLOCK_SKEW_S)
      return { ok: false, reason: 'token was issued in the future (iat)' };
    const role = ROLES.find((r) => r === claims.role);
    if (!role) return { ok: false, reason: 'token has an unknown role' };
    if (typeof claims.sub !== 'string' || !isPlainId(claims.sub))
      return { ok: false, reason: 'token has an invalid sub' };
    return { ok: true, principal: { role, id: claims.sub } };
  } catch (error) {
    return { ok: false, reason: refusalOf(error as { code?: string; message?: string }) };
  }
}

/** Says which check failed where that helps a client developer; the signature stays 'invalid token'. */
function refusalOf(error: { code?: string; message?: string }): string {
  if (error.code === 'FST_JWT_AUTHORIZATION_TOKEN_EXPIRED') return 'token expired';
  // fast-jwt's wording, e.g. "... The iss claim is required." / "The iss claim value is not allowed."
  const missing = /The (iss|sub|role|exp|aud) claim is required/.exec(error.message ?? '')?.[1];
  if (missing) return `token has no ${missing} claim`;
  if (/The iss claim value is not allowed/.test(error.message ?? ''))
    return `token issuer is not ${JWT_ISSUER}`;
  if (/The aud claim (value is not allowed|must be)/.test(error.message ?? ''))
    return 'token is for another audience (aud)';
  return 'invalid token';
}

const identities = new WeakMap<FastifyRequest, Promise<Identity>>();

/**
 * Verifies the bearer token once per request, whoever asks first: the rate limiter (to key by
 * subject, before the body is read) or the authorization hook.
 */
export function identify(request: FastifyRequest): Promise<Identity> {
  let identity = identities.get(request);
  if (!identity) {
    identity = verify(request);
    identities.set(request, identity);
  }
  return identity;
}

/** The caller of a route with roles; only valid after the auth hook ran (in handlers). */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal)
    throw new Error(`no principal on ${request.method} ${request.url}: route lacks auth`);
  return request.principal;
}

export async function registerAuth(
  app: FastifyInstance,
  secret: string,
  maxTtlSeconds: number,
  audience?: string,
): Promise<void> {
  await app.register(fastifyJwt, jwtOptions(secret, audience));
  app.decorate('jwtMaxTtlSeconds', maxTtlSeconds);
  app.decorateRequest('principal', null);

  // Default deny: a /v1 route that forgets to say who may call it fails the start-up, not an audit.
  app.addHook('onRoute', (route) => {
    if (route.url.startsWith('/v1') && route.config?.auth === undefined) {
      throw new Error(`${route.method.toString()} ${route.url} declares no config.auth`);
    }
  });

  // preParsing: after the rate limiter (onRequest), before the body is read or validated, so a
  // caller without the right role learns nothing about the body rules.
  app.addHook('preParsing', async (request, _reply, payload) => {
    const auth = request.routeOptions.config.auth;
    if (auth === undefined || auth === 'public') return payload;
    const identity = await identify(request);
    if (!identity.ok) throw new ProblemError(Problems.unauthenticated(identity.reason));
    if (!auth.includes(identity.principal.role)) {
      throw new ProblemError(
        Problems.forbidden(`role ${identity.principal.role} may not call this endpoint`),
      );
    }
    request.principal = identity.principal;
    return payload;
  });
}
