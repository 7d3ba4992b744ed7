import { createHash, randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { IdempotencyRecord, IdempotencyStore } from '../../app/ports.ts';
import { principalOf } from './auth.ts';
import { canonicalJson } from './canonical-json.ts';
import { Problems, ProblemError } from './problems.ts';
import './route-config.ts';

/**
 * Refusals that say "not yet", whose documented remedy is the same request a little later: the
 * rider at the counter before the merchant marked the food ready, or at the door before the
 * pickup was recorded, or still too far from either (HANDOVER_CHECK=enforce), or at the counter
 * while the customer is cancelling. Kept, they would answer every retry with the same key for a day.
 */
const NOT_YET_CODES = new Set([
  'ORDER_NOT_READY',
  'ORDER_NOT_PICKED_UP',
  'ORDER_CANCEL_PENDING',
  'NOT_AT_PICKUP',
  'NOT_AT_DROPOFF',
]);

function notYet(status: number, payload: string): boolean {
  if (status !== 409) return false;
  try {
    const code = (JSON.parse(payload) as { code?: unknown }).code;
    return typeof code === 'string' && NOT_YET_CODES.has(code);
  } catch {
    return false;
  }
}

export interface IdempotencySettings {
  readonly store: IdempotencyStore;
  /** How long a 2xx answer is replayed (IDEMPOTENCY_TTL_SECONDS). */
  readonly ttlMs: number;
  /** How long a 4xx answer is replayed (IDEMPOTENCY_REFUSAL_TTL_SECONDS): long enough for retries. */
  readonly refusalTtlMs: number;
  /** Largest 2xx body kept (IDEMPOTENCY_MAX_STORED_BYTES); a larger one releases the key instead. */
  readonly maxStoredBytes: number;
  /** Life of the pending record: longer than any request may run, so a crashed owner frees the key. */
  readonly lockTtlMs: number;
  /** How often a request that found the key pending looks again. */
  readonly pollIntervalMs: number;
}

/** Response headers replayed with the body; the rest belong to the new request (x-request-id...). */
const KEPT_HEADERS = ['content-type', 'location'];

interface Claim {
  readonly key: string;
  readonly token: string;
  readonly fingerprint: string;
}

/**
 * A 4xx body larger than this is kept as `{code, message, requestId}` (message cut to
 * MAX_REFUSAL_MESSAGE characters): the status and code a retry must see, not every field error.
 * The customer picks the size of a refusal (item ids, addresses), so it must not pick our Redis use.
 */
export const MAX_STORED_REFUSAL_BYTES = 2_048;
const MAX_REFUSAL_MESSAGE = 200;

/** The refusal as a retry gets it: the same bytes if small, else status, code and a short message. */
function storedRefusal(payload: string): string | undefined {
  if (Buffer.byteLength(payload) <= MAX_STORED_REFUSAL_BYTES) return payload;
  try {
    const { code, message, requestId } = JSON.parse(payload) as Record<string, unknown>;
    if (typeof code !== 'string') return undefined;
    const text = typeof message === 'string' ? message : '';
    return JSON.stringify({
      code: code.slice(0, 100),
      message: text.length > MAX_REFUSAL_MESSAGE ? `${text.slice(0, MAX_REFUSAL_MESSAGE)}…` : text,
      ...(typeof requestId === 'string' ? { requestId: requestId.slice(0, 100) } : {}),
    });
  } catch {
    return undefined;
  }
}

/** What to keep for a finished request, and for how long; undefined: release the key instead. */
function toStore(
  status: number,
  payload: unknown,
  s: IdempotencySettings,
): { body: string; ttlMs: number } | undefined {
  // 5xx (our failure, timeouts, shed load) and "not yet" refusals: a retry should run again.
  if (status >= 500 || typeof payload !== 'string' || notYet(status, payload)) return undefined;
  if (status >= 400) {
    const body = storedRefusal(payload);
    return body === undefined ? undefined : { body, ttlMs: s.refusalTtlMs };
  }
  // No answer of today's API comes near the limit; should one, a retry runs again, as it does when
  // Redis is down (POST /v1/orders converges on one order through its derived id, adr/0007).
  if (Buffer.byteLength(payload) > s.maxStoredBytes) return undefined;
  return { body: payload, ttlMs: s.ttlMs };
}

const claims = new WeakMap<FastifyRequest, Claim>();
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

function replay(reply: FastifyReply, record: Extract<IdempotencyRecord, { state: 'done' }>): FastifyReply {
  reply.code(record.status).headers(record.headers).header('idempotent-replayed', 'true');
  return reply.send(record.body);
}

/**
 * What must be equal for a replay: the body, and the validated query parameters if the route has
 * any (none of today's POSTs does; routes without a query schema refuse every parameter). The body
 * alone when there are none, so records written before the query counted still match.
 */
function fingerprinted(request: FastifyRequest): unknown {
  const body = request.body ?? null;
  const query = request.query as Record<string, unknown> | undefined;
  return query && Object.keys(query).length > 0 ? { body, query } : body;
}

/**
 * Idempotency-Key for non-idempotent POSTs (routes with config.idempotency), in preHandler: after
 * authentication (the key is scoped by subject) and validation (an invalid body spends no key).
 * Semantics and Redis layout: docs/api.md#idempotency, docs/adr/0007.
 */
export function registerIdempotency(app: FastifyInstance, s: IdempotencySettings): void {
  let lastOutageLog = 0;
  const failOpen = (request: FastifyRequest, err?: unknown) => {
    // One line per 10 s at most: during an outage every request would log.
    if (Date.now() - lastOutageLog < 10_000) return;
    lastOutageLog = Date.now();
    request.log.warn({ err }, 'idempotency store unavailable: running requests without replay protection');
  };

  app.addHook('preHandler', async (request, reply) => {
    const mode = request.routeOptions.config.idempotency;
    const header = request.headers['idempotency-key'];
    if (!mode || typeof header !== 'string') return;
    const principal = principalOf(request);
    // Scoped by subject, method and concrete path, without the query string (docs/api.md): a retry
    // with `?retry=2` is the same request. Hashed so user input never shapes a Redis key.
    const path = request.url.split('?', 1)[0];
    const key = sha256(JSON.stringify([principal.role, principal.id, request.method, path, header]));
    const fingerprint = sha256(canonicalJson(fingerprinted(request)));
    if (!s.store.isAvailable()) return failOpen(request);

    const token = randomUUID();
    try {
      for (;;) {
        const outcome = await s.store.claim(key, token, fingerprint, s.lockTtlMs);
        if (outcome.claimed) {
          claims.set(request, { key, token, fingerprint });
          return;
        }
        const existing = outcome.existing;
        if (existing && existing.fingerprint !== fingerprint)
          throw new ProblemError(Problems.idempotencyKeyReused());
        if (existing?.state === 'done') return replay(reply, existing);
        // Pending elsewhere (or gone between our two reads): wait for it, within our own deadline.
        if (Date.now() + s.pollIntervalMs >= request.deadline.getTime()) {
          throw new ProblemError(Problems.idempotencyInProgress());
        }
        await sleep(s.pollIntervalMs);
      }
    } catch (err) {
      if (err instanceof ProblemError) throw err;
      failOpen(request, err);
    }
  });

  // Stored before the response leaves, so whoever has seen it can also replay it; what is not
  // kept (toStore) releases the key, so a retry runs again.
  app.addHook('onSend', async (request, reply, payload) => {
    const claim = claims.get(request);
    if (!claim) return payload;
    claims.delete(request);
    try {
      const kept = toStore(reply.statusCode, payload, s);
      if (kept === undefined) {
        if (reply.statusCode < 300 && typeof payload === 'string')
          request.log.warn(
            { bytes: Buffer.byteLength(payload) },
            'answer too large to keep for its Idempotency-Key',
          );
        await s.store.release(claim.key, claim.token);
      } else {
        const headers: Record<string, string> = {};
        for (const name of KEPT_HEADERS) {
          const value = reply.getHeader(name);
          if (value !== undefined) headers[name] = String(value);
        }
        const stored = { status: reply.statusCode, headers, body: kept.body };
        await s.store.complete(claim.key, claim.token, claim.fingerprint, stored, kept.ttlMs);
      }
    } catch (err) {
      failOpen(request, err);
    }
    return payload;
  });
}
