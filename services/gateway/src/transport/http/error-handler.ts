import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { fieldErrorsOf, UNKNOWN_FIELD_MESSAGE, type SchemaError } from './field-errors.ts';
import { Problems, ProblemError, sendProblem, sendRouteNotFound, type Problem } from './problems.ts';

interface Settings {
  readonly bodyLimitBytes: number;
  readonly retryAfterSeconds: number;
}

type ValidationPart = 'body' | 'querystring' | 'params' | 'headers';

function validationProblem(errors: readonly SchemaError[], part: ValidationPart): Problem {
  if (part === 'headers' && errors.some((e) => e.keyword === 'required')) {
    // The only header a schema requires is Idempotency-Key; it has its own code.
    return Problems.idempotencyKeyRequired();
  }
  const fields = fieldErrorsOf(errors, part === 'body' ? 'body' : part).map((f) =>
    part === 'headers' && f.field === 'idempotency-key' ? { ...f, field: 'Idempotency-Key' } : f,
  );
  return Problems.validation(
    fields,
    fields.length > 0 && fields.every((f) => f.message === UNKNOWN_FIELD_MESSAGE),
  );
}

/** A body was announced and has not been parsed, because the socket has not delivered all of it. */
const bodyStillArriving = (request: FastifyRequest): boolean =>
  (Number(request.headers['content-length'] ?? 0) > 0 ||
    request.headers['transfer-encoding'] !== undefined) &&
  request.body === undefined &&
  !request.raw.complete;

/** Fastify's and its plugins' errors -> our catalogue; undefined for anything unexpected (a bug). */
function problemOf(error: FastifyError, s: Settings, request: FastifyRequest): Problem | undefined {
  if (error instanceof ProblemError) return error.problem;
  if (error.validation) return validationProblem(error.validation, error.validationContext ?? 'body');
  switch (error.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return Problems.invalidJson();
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return Problems.payloadTooLarge(s.bodyLimitBytes);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return Problems.unsupportedMediaType();
    case 'FST_ERR_HANDLER_TIMEOUT':
      // The body never finished arriving (a Content-Length larger than what was sent, a stalled
      // upload): the client's doing, not a service behind the gateway being slow.
      return bodyStillArriving(request) ? Problems.bodyTimeout() : Problems.requestTimeout();
    default:
      // Any other client error fastify detects itself (bad Content-Length, malformed URL...).
      if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
        return Problems.clientError(error.statusCode, error.message);
      }
      return undefined;
  }
}

/**
 * One error shape everywhere, for every status. A 500 is a bug: logged with its stack (the log
 * line carries the trace id), answered without details.
 */
export function registerErrorHandling(app: FastifyInstance, settings: Settings): void {
  app.setErrorHandler((error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    const problem = problemOf(error, settings, request);
    // The rest of a body that did not arrive could still come and be read as the next request.
    if (problem?.code === 'CLIENT_TIMEOUT') reply.header('connection', 'close');
    if (problem) return sendProblem(request, reply, problem);
    request.log.error({ err: error }, 'unhandled error');
    return sendProblem(request, reply, Problems.internal());
  });

  // Admission answers unknown routes (rate-limited, before their body is read) in onRequest; this
  // is only the fallback that keeps the error shape should anything else reach fastify's 404.
  app.setNotFoundHandler((request, reply) => sendRouteNotFound(request, reply));
}
