import { Metadata, status, type ServiceError, type StatusObject } from '@grpc/grpc-js';
import {
  codedError,
  isTransientFailure,
  type CodedError,
  type ErrorKind,
  type FieldError,
} from '@mealpeak/core';

/** Metadata keys that carry our stable error code and field errors across a gRPC hop. */
export const ERROR_CODE_KEY = 'mealpeak-error-code';
/**
 * Field errors as UTF-8 JSON in a binary ("-bin") entry: their messages quote user and merchant
 * text (an item named Matjesbrötchen or 红烧肉), which an ASCII metadata value cannot carry.
 */
export const ERROR_FIELDS_KEY = 'mealpeak-error-fields-bin';
/**
 * The ASCII entry of peers from before the binary one: still read, and still written when the
 * JSON is printable ASCII, so old and new replicas understand each other during a rolling upgrade.
 */
const LEGACY_ERROR_FIELDS_KEY = 'mealpeak-error-fields';
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

const STATUS_OF_KIND: Record<ErrorKind, status> = {
  invalid: status.INVALID_ARGUMENT,
  not_found: status.NOT_FOUND,
  conflict: status.FAILED_PRECONDITION,
  forbidden: status.PERMISSION_DENIED,
  unauthenticated: status.UNAUTHENTICATED,
  exhausted: status.RESOURCE_EXHAUSTED,
  unavailable: status.UNAVAILABLE,
  timeout: status.DEADLINE_EXCEEDED,
  internal: status.INTERNAL,
};

export function statusOfKind(kind: ErrorKind): status {
  return STATUS_OF_KIND[kind];
}

/**
 * The kind of a failed call. INTERNAL is 'internal' only when a peer of ours said so (it sent an
 * error code): grpc-js also reports broken streams to a dying replica as INTERNAL, and those are
 * worth a retry like UNAVAILABLE.
 */
export function kindOfStatus(code: status, fromPeer = false): ErrorKind {
  switch (code) {
    case status.INTERNAL:
    case status.UNKNOWN:
    case status.DATA_LOSS:
    case status.UNIMPLEMENTED:
      return fromPeer ? 'internal' : 'unavailable';
    case status.INVALID_ARGUMENT:
    case status.OUT_OF_RANGE:
      return 'invalid';
    case status.NOT_FOUND:
      return 'not_found';
    case status.FAILED_PRECONDITION:
    case status.ALREADY_EXISTS:
    case status.ABORTED:
      return 'conflict';
    case status.PERMISSION_DENIED:
      return 'forbidden';
    case status.UNAUTHENTICATED:
      return 'unauthenticated';
    case status.RESOURCE_EXHAUSTED:
      return 'exhausted';
    case status.DEADLINE_EXCEEDED:
      return 'timeout';
    default:
      // UNAVAILABLE, CANCELLED...: the caller can only retry later or give up.
      return 'unavailable';
  }
}

/**
 * Statuses that are failures of the platform rather than answers: UNKNOWN, DEADLINE_EXCEEDED,
 * UNIMPLEMENTED, INTERNAL, UNAVAILABLE, DATA_LOSS (OpenTelemetry's list for server spans), and
 * UNAUTHENTICATED, which only the internal-token check answers (services refusing each other).
 * NOT_FOUND, FAILED_PRECONDITION, RESOURCE_EXHAUSTED (stock)... are the domain's coded answers:
 * a span with one of them did its job. The alert MealpeakGrpcErrorRateHigh uses the same list.
 */
const FAILURES: ReadonlySet<status> = new Set([
  status.UNKNOWN,
  status.DEADLINE_EXCEEDED,
  status.UNIMPLEMENTED,
  status.INTERNAL,
  status.UNAVAILABLE,
  status.DATA_LOSS,
  status.UNAUTHENTICATED,
]);

export const isFailureStatus = (code: status): boolean => FAILURES.has(code);

/** Domain error -> the status object a grpc-js handler passes to its callback. */
export function toStatus(error: CodedError): Partial<StatusObject> {
  const metadata = new Metadata();
  metadata.set(ERROR_CODE_KEY, error.code);
  if (error.fields?.length) {
    const json = JSON.stringify(error.fields);
    metadata.set(ERROR_FIELDS_KEY, Buffer.from(json, 'utf8'));
    if (PRINTABLE_ASCII.test(json)) metadata.set(LEGACY_ERROR_FIELDS_KEY, json);
  }
  return { code: statusOfKind(error.kind), details: error.message, metadata };
}

/** A failed call -> the domain error the caller reasons about (code survives the hop). */
export function fromServiceError(error: ServiceError): CodedError {
  const code = error.metadata?.get(ERROR_CODE_KEY)[0];
  const kind = kindOfStatus(error.code, typeof code === 'string');
  const fieldsRaw =
    error.metadata?.get(ERROR_FIELDS_KEY)[0] ?? error.metadata?.get(LEGACY_ERROR_FIELDS_KEY)[0];
  let fields: FieldError[] | undefined;
  if (fieldsRaw !== undefined) {
    try {
      fields = JSON.parse(
        typeof fieldsRaw === 'string' ? fieldsRaw : fieldsRaw.toString('utf8'),
      ) as FieldError[];
    } catch {
      fields = undefined;
    }
  }
  return codedError(
    kind,
    typeof code === 'string' ? code : `GRPC_${status[error.code] ?? 'UNKNOWN'}`,
    error.details || error.message,
    fields,
  );
}

/** Error codes of failures a handler threw instead of returning (see classifyThrown). */
export const THROWN = { internal: 'INTERNAL', unavailable: 'DEPENDENCY_UNAVAILABLE' } as const;

/**
 * Whether an error a handler threw means a dependency is down (PostgreSQL, Redis or Kafka
 * unreachable, restarting or out of resources: worth a retry, UNAVAILABLE) or anything else, a bug
 * or data the database refused (INTERNAL: a retry meets it again). kafkajs marks its own.
 */
export function classifyThrown(error: unknown): 'unavailable' | 'internal' {
  return isTransientFailure(error) ? 'unavailable' : 'internal';
}
