import type { FastifyReply, FastifyRequest } from 'fastify';
import type { CodedError, ErrorKind, FieldError } from '@mealpeak/core';
import { MAX_FIELDS } from './field-errors.ts';

/**
 * Every error the gateway answers with, before it becomes the one JSON shape of docs/api.md
 * (`code`, `message`, `requestId`, `fields`). Domain errors arrive as CodedError values from the
 * ports; this file is the only place that decides their HTTP status.
 */
export interface Problem {
  readonly status: number;
  readonly code: string;
  readonly message: string;
  readonly fields?: readonly FieldError[];
  /** Sent as Retry-After (seconds) with 429 and 503. */
  readonly retryAfterSeconds?: number;
  /** The code a service behind the gateway answered, when the client gets another: for the log. */
  readonly upstreamCode?: string;
}

/** Lets hooks hand a Problem to the error handler through fastify's own error path. */
export class ProblemError extends Error {
  readonly problem: Problem;
  readonly statusCode: number;
  constructor(problem: Problem) {
    super(problem.message);
    this.name = 'ProblemError';
    this.problem = problem;
    this.statusCode = problem.status;
  }
}

const STATUS_OF_KIND: Record<ErrorKind, number> = {
  invalid: 400,
  not_found: 404,
  conflict: 409,
  forbidden: 403,
  unauthenticated: 401,
  // Stock or capacity ran out: a conflict with the state of the world, not a client rate (429).
  exhausted: 409,
  unavailable: 503,
  timeout: 504,
  // A service behind the gateway failed in a way a retry will not fix (a bug): its code passes.
  internal: 500,
};

const TRANSPORT_CODE: Partial<Record<ErrorKind, string>> = {
  unavailable: 'UPSTREAM_UNAVAILABLE',
  timeout: 'UPSTREAM_TIMEOUT',
};

const TRANSPORT_MESSAGE: Partial<Record<ErrorKind, string>> = {
  unavailable: 'a service behind the gateway is unavailable; retry later',
  timeout: 'a service behind the gateway did not answer in time',
};

/** Services name fields as in the proto (`lines[0].item_id`); clients know the JSON names. */
const jsonFieldName = (field: string) => field.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());

/**
 * The services' messages name fields as proto does (`time_zone: must be an IANA time zone`), while
 * `fields[].field` names them as the JSON the client sent (`timeZone`): each field's prefix in the
 * message is renamed as its entry is, so both say the same. Only those prefixes: the rest of a
 * message may quote what a user or merchant typed.
 */
function withJsonFieldNames(message: string, fields: readonly { field: string }[] | undefined): string {
  let renamed = message;
  for (const f of fields?.slice(0, MAX_FIELDS) ?? [])
    renamed = renamed.replace(`${f.field}: `, `${jsonFieldName(f.field)}: `);
  return renamed;
}

/** A domain error from a port -> the Problem sent to the client; its code passes through. */
export function fromCodedError(error: CodedError, retryAfterSeconds: number): Problem {
  // @mealpeak/grpc names errors of peers that sent no code GRPC_<STATUS>; those describe our
  // plumbing (and their messages can name hosts), so clients get a stable code and message. And
  // never a 4xx: grpc-js' own RESOURCE_EXHAUSTED (a reply over the message size limit) or
  // UNIMPLEMENTED is the platform's fault, not the client's (502). So is UNAUTHENTICATED whatever
  // its code: the gateway authenticates end users itself, and the services only check the
  // platform's internal token (INTERNAL_TOKEN_REQUIRED: a wrong GRPC_INTERNAL_TOKEN), which a 401
  // would blame on the user and keep out of the 5xx alerts.
  const plumbing = error.code.startsWith('GRPC_') || error.kind === 'unauthenticated';
  const status = plumbing && STATUS_OF_KIND[error.kind] < 500 ? 502 : STATUS_OF_KIND[error.kind];
  const code = plumbing ? (TRANSPORT_CODE[error.kind] ?? 'UPSTREAM_ERROR') : error.code;
  return {
    status,
    code,
    ...(code !== error.code ? { upstreamCode: error.code } : {}),
    message: plumbing
      ? (TRANSPORT_MESSAGE[error.kind] ?? 'a service behind the gateway failed')
      : withJsonFieldNames(error.message, status < 500 ? error.fields : undefined),
    // Kept on any 4xx: a 409 STOCK_EXHAUSTED naming lines[2].quantity tells the app what to fix.
    ...(status < 500 && error.fields?.length
      ? {
          fields: error.fields
            .slice(0, MAX_FIELDS)
            .map((f) => ({ field: jsonFieldName(f.field), message: f.message })),
        }
      : {}),
    // 503: the service is away; 504: it was too slow this time. Both pass, and a retry is safe:
    // reads are idempotent, POSTs carry their Idempotency-Key (docs/adr/0007).
    ...(status === 503 || status === 504 ? { retryAfterSeconds } : {}),
  };
}

/** The gateway's own errors (the catalogue in docs/api.md). */
export const Problems = {
  validation: (fields: readonly FieldError[], unknownOnly: boolean): Problem => ({
    status: 400,
    code: unknownOnly ? 'UNKNOWN_FIELD' : 'VALIDATION_FAILED',
    message: fields[0] ? `invalid request: ${fields[0].field} ${fields[0].message}` : 'invalid request',
    fields,
  }),
  /** Malformed requests fastify itself refuses (bad Content-Length, bad URL encoding...). */
  clientError: (status: number, message: string): Problem => ({
    status,
    code: status === 414 ? 'URI_TOO_LONG' : 'BAD_REQUEST',
    message,
  }),
  invalidJson: (): Problem => ({ status: 400, code: 'INVALID_JSON', message: 'the body is not valid JSON' }),
  idempotencyKeyRequired: (): Problem => ({
    status: 400,
    code: 'IDEMPOTENCY_KEY_REQUIRED',
    message: 'this request needs an Idempotency-Key header (1-200 characters of A-Z a-z 0-9 . _ : -)',
  }),
  unauthenticated: (message: string): Problem => ({ status: 401, code: 'UNAUTHENTICATED', message }),
  forbidden: (message: string): Problem => ({ status: 403, code: 'FORBIDDEN', message }),
  routeNotFound: (method: string, path: string): Problem => ({
    status: 404,
    code: 'ROUTE_NOT_FOUND',
    message: `no route for ${method} ${path}`,
  }),
  idempotencyKeyReused: (): Problem => ({
    status: 409,
    code: 'IDEMPOTENCY_KEY_REUSED',
    message: 'this Idempotency-Key was used with a different request body',
  }),
  idempotencyInProgress: (): Problem => ({
    status: 409,
    code: 'IDEMPOTENCY_REQUEST_IN_PROGRESS',
    message: 'a request with this Idempotency-Key is still running; retry shortly',
  }),
  payloadTooLarge: (limit: number): Problem => ({
    status: 413,
    code: 'PAYLOAD_TOO_LARGE',
    message: `the body is larger than ${limit} bytes`,
  }),
  unsupportedMediaType: (): Problem => ({
    status: 415,
    code: 'UNSUPPORTED_MEDIA_TYPE',
    message: 'send the body as application/json',
  }),
  /** A compressed body: bodies are small (64 KiB at most), so none is decoded. */
  unsupportedEncoding: (encoding: string): Problem => ({
    status: 415,
    code: 'UNSUPPORTED_MEDIA_TYPE',
    message: `Content-Encoding ${encoding.slice(0, 32)} is not accepted; send the body uncompressed`,
  }),
  rateLimited: (retryAfterSeconds: number): Problem => ({
    status: 429,
    code: 'RATE_LIMITED',
    message: `too many requests; retry in ${retryAfterSeconds} s`,
    retryAfterSeconds,
  }),
  /** Too many of one client's requests not answered yet (slow bodies, or a burst in parallel). */
  concurrencyLimited: (): Problem => ({
    status: 429,
    code: 'CONCURRENCY_LIMITED',
    message: 'too many of your requests are in progress; retry when one has finished',
    retryAfterSeconds: 1,
  }),
  internal: (): Problem => ({ status: 500, code: 'INTERNAL', message: 'internal error' }),
  overloaded: (retryAfterSeconds: number): Problem => ({
    status: 503,
    code: 'OVERLOADED',
    message: 'the gateway is overloaded; retry later',
    retryAfterSeconds,
  }),
  requestTimeout: (): Problem => ({
    status: 504,
    code: 'REQUEST_TIMEOUT',
    message: 'the request took too long and was abandoned',
  }),
  bodyTimeout: (): Problem => ({
    status: 408,
    code: 'CLIENT_TIMEOUT',
    message: 'the request body did not arrive in time (is Content-Length the size of the body sent?)',
  }),
};

/** Sends a Problem in the gateway's error shape. Returns the reply, so handlers can `return fail(...)`. */
export function sendProblem(request: FastifyRequest, reply: FastifyReply, problem: Problem): FastifyReply {
  // For the request's log line (request-context.ts), whose level depends on the code.
  request.problem = {
    code: problem.code,
    ...(problem.upstreamCode ? { upstreamCode: problem.upstreamCode } : {}),
  };
  if (problem.retryAfterSeconds !== undefined) reply.header('retry-after', String(problem.retryAfterSeconds));
  // Also set by the onRequest hook; errors fastify raises before any hook (bad URL) need it here.
  reply.header('x-request-id', request.id);
  return reply
    .code(problem.status)
    .type('application/json; charset=utf-8')
    .send({
      code: problem.code,
      message: problem.message,
      requestId: request.id,
      ...(problem.fields?.length ? { fields: problem.fields } : {}),
    });
}

/** 404 ROUTE_NOT_FOUND for the request's method and path (without its query). */
export function sendRouteNotFound(request: FastifyRequest, reply: FastifyReply): FastifyReply {
  return sendProblem(
    request,
    reply,
    Problems.routeNotFound(request.method, request.url.split('?', 1)[0] ?? '/'),
  );
}
