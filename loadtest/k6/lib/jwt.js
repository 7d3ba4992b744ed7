import crypto from 'k6/crypto';
import encoding from 'k6/encoding';
import { JWT_AUDIENCE, JWT_SECRET } from './env.js';

const HEADER = encoding.b64encode(JSON.stringify({ alg: 'HS256', typ: 'JWT' }), 'rawurl');

/**
 * An HS256 bearer token with the claims the gateway requires (services/gateway/src/transport/http/
 * auth.ts): issuer `mealpeak`, `sub`, `role` and `exp`, and `aud` when JWT_AUDIENCE is given.
 */
export function token(role, sub, ttlSeconds = 4 * 3600) {
  const now = Math.floor(Date.now() / 1000);
  const aud = JWT_AUDIENCE ? { aud: JWT_AUDIENCE } : {};
  const payload = encoding.b64encode(
    JSON.stringify({ sub, role, iss: 'mealpeak', ...aud, iat: now, exp: now + ttlSeconds }),
    'rawurl',
  );
  const signature = crypto.hmac('sha256', JWT_SECRET, `${HEADER}.${payload}`, 'base64rawurl');
  return `${HEADER}.${payload}.${signature}`;
}
