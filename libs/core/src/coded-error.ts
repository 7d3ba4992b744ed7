/**
 * The shape every expected failure has once it leaves a domain: a stable machine-readable code
 * (UPPER_SNAKE, documented in the service's error catalogue), a human message, and optional
 * field-level details. Transports map `kind` to HTTP or gRPC status; the code passes through.
 */
export type ErrorKind =
  | 'invalid' // the request is malformed or breaks a rule about its own content
  | 'not_found'
  | 'conflict' // the state of the world forbids it (illegal transition, duplicate)
  | 'forbidden' // the caller may not do this
  | 'unauthenticated'
  | 'exhausted' // a resource ran out (stock, capacity, rate limit)
  | 'unavailable' // a dependency is down or overloaded; retrying later may work
  | 'timeout'
  | 'internal'; // a bug or an unexpected failure behind the call; retrying will not help

export interface FieldError {
  readonly field: string;
  readonly message: string;
}

export interface CodedError {
  readonly kind: ErrorKind;
  readonly code: string;
  readonly message: string;
  readonly fields?: readonly FieldError[];
}

export const codedError = (
  kind: ErrorKind,
  code: string,
  message: string,
  fields?: readonly FieldError[],
): CodedError => (fields ? { kind, code, message, fields } : { kind, code, message });

export const isCodedError = (value: unknown): value is CodedError =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as CodedError).code === 'string' &&
  typeof (value as CodedError).kind === 'string' &&
  typeof (value as CodedError).message === 'string';
