import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signToken } from './platform-orders.ts';

describe('tokens for the business check', () => {
  it('are HS256 JWTs with the claims the gateway requires', () => {
    const token = signToken({ secret: 's'.repeat(32) }, 'customer', 'lt1-c7', 60);
    const [head, body, signature] = token.split('.');
    expect(JSON.parse(Buffer.from(head!, 'base64url').toString())).toEqual({ alg: 'HS256', typ: 'JWT' });
    const claims = JSON.parse(Buffer.from(body!, 'base64url').toString()) as Record<string, unknown>;
    expect(claims).toMatchObject({ sub: 'lt1-c7', role: 'customer', iss: 'mealpeak' });
    expect(claims).not.toHaveProperty('aud');
    expect(claims['exp']).toBe((claims['iat'] as number) + 60);
    expect(signature).toBe(
      createHmac('sha256', 's'.repeat(32)).update(`${head}.${body}`).digest('base64url'),
    );
  });

  it('name the audience of a gateway that requires one (JWT_AUDIENCE)', () => {
    const token = signToken({ secret: 's'.repeat(32), audience: 'mealpeak-api' }, 'ops', 'loadtest-runner');
    const claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as Record<
      string,
      unknown
    >;
    expect(claims).toMatchObject({
      sub: 'loadtest-runner',
      role: 'ops',
      iss: 'mealpeak',
      aud: 'mealpeak-api',
    });
  });
});
