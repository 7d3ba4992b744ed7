/**
 * Failures worth waiting out: a dependency (PostgreSQL, Redis, Kafka, another service) that is
 * unreachable, restarting or out of resources. A retry later meets a working system; anything
 * else (a bug, data the database refused) meets the same failure again.
 */

/** Thrown by code that knows its failure is transient (e.g. a peer answered UNAVAILABLE). */
export class TransientFailure extends Error {
  override readonly name = 'TransientFailure';
  readonly transient = true;
}

// PostgreSQL SQLSTATEs of failures that a retry may not meet: connection exceptions (08),
// insufficient resources (53), operator intervention (57: shutdown, crash, statement timeout),
// serialization failures and deadlocks (40001, 40P01). Not 08P01, a protocol violation: a bug.
const TRANSIENT_SQLSTATE = /^(08(?!P01$)|53|57|40001$|40P01$)/;
const TRANSIENT_ERRNO = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);
// pg and pg-pool (connecting, or a client whose connection broke), ioredis (closed, offline).
const TRANSIENT_MESSAGE =
  /timeout exceeded when trying to connect|Connection terminated|connection error|not queryable|Query read timeout|Connection is closed|Stream isn't writeable|Reached the max retries per request limit/i;

/**
 * Whether an error means a dependency is away (see above). Recognises TransientFailure,
 * kafkajs' `retriable` errors, PostgreSQL SQLSTATEs, socket errnos and the pg/ioredis messages
 * for a broken connection, following `cause` a few levels deep.
 */
export function isTransientFailure(error: unknown, depth = 0): boolean {
  // A cycle of causes ends at the depth limit too.
  if (typeof error !== 'object' || error === null || depth > 4) return false;
  const e = error as {
    code?: unknown;
    retriable?: unknown;
    transient?: unknown;
    message?: unknown;
    cause?: unknown;
  };
  if (e.transient === true || e.retriable === true) return true;
  if (typeof e.code === 'string' && (TRANSIENT_SQLSTATE.test(e.code) || TRANSIENT_ERRNO.has(e.code)))
    return true;
  if (typeof e.message === 'string' && TRANSIENT_MESSAGE.test(e.message)) return true;
  return e.cause !== undefined && isTransientFailure(e.cause, depth + 1);
}
