/**
 * Reading the platform's side for the business check: through the database when the runner owns
 * the stack (one query), through the API otherwise (a Kubernetes deployment: each customer's own
 * order list, with tokens signed like the load test's).
 */
import { createHmac } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import type { PlatformOrder } from './reconcile.ts';

export const DEV_JWT_SECRET = 'mealpeak-dev-only-secret-do-not-use-in-production';

const b64url = (s: string | Buffer) => Buffer.from(s).toString('base64url');

/** How the runner signs its tokens: the gateway's HS256 secret and JWT_AUDIENCE, if it has one. */
export interface TokenSigning {
  readonly secret: string;
  readonly audience?: string | undefined;
}

/** An HS256 token with the claims the gateway requires (same as loadtest/k6/lib/jwt.js). */
export function signToken(signing: TokenSigning, role: string, sub: string, ttlSeconds = 3600): string {
  const now = Math.floor(Date.now() / 1000);
  const aud = signing.audience ? { aud: signing.audience } : {};
  const head = `${b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }))}.${b64url(
    JSON.stringify({ sub, role, iss: 'mealpeak', ...aud, iat: now, exp: now + ttlSeconds }),
  )}`;
  return `${head}.${createHmac('sha256', signing.secret).update(head).digest('base64url')}`;
}

export async function ordersFromDatabase(databaseUrl: string, runId: string): Promise<PlatformOrder[]> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ id: string; customer_id: string; state: string }>(
      'SELECT id::text AS id, customer_id, state FROM orders.orders WHERE customer_id LIKE $1',
      [`${runId}-c%`],
    );
    return rows.map((r) => ({ id: r.id, customerId: r.customer_id, state: r.state }));
  } finally {
    await client.end();
  }
}

async function getJson(url: string, token: string): Promise<unknown> {
  for (let attempt = 1; ; attempt++) {
    const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } }).catch(() => undefined);
    if (res?.ok) return res.json();
    if (attempt >= 5 || (res && res.status < 500 && res.status !== 429))
      throw new Error(`GET ${url}: ${res?.status ?? 'no answer'} ${res ? await res.text() : ''}`);
    await sleep(500 * attempt);
  }
}

export async function ordersFromApi(
  baseUrl: string,
  signing: TokenSigning,
  customers: readonly string[],
  concurrency = 16,
): Promise<PlatformOrder[]> {
  const out: PlatformOrder[] = [];
  let next = 0;
  const worker = async () => {
    while (next < customers.length) {
      const customer = customers[next++]!;
      const token = signToken(signing, 'customer', customer);
      let pageToken: string | undefined;
      do {
        const page = (await getJson(
          `${baseUrl}/v1/orders?pageSize=100${pageToken ? `&pageToken=${encodeURIComponent(pageToken)}` : ''}`,
          token,
        )) as { orders: { id: string; customerId: string; state: string }[]; nextPageToken?: string };
        for (const o of page.orders) out.push({ id: o.id, customerId: o.customerId, state: o.state });
        pageToken = page.nextPageToken;
      } while (pageToken);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return out;
}

export type StateCounts = Record<string, number>;

export async function orderCounts(baseUrl: string, signing: TokenSigning): Promise<StateCounts> {
  const body = (await getJson(
    `${baseUrl}/v1/ops/orders/counts`,
    signToken(signing, 'ops', 'loadtest-runner'),
  )) as { counts: StateCounts };
  return body.counts;
}
