import { codedError, err, ok, type CodedError, type Result } from '@mealpeak/core';
import type { CallContext } from '../app/ports.ts';

/**
 * How grpc-js details the UNIMPLEMENTED it makes of an HTTP answer that is not gRPC (a 404 from a
 * proxy or a plain web server); a gRPC server's own "no such method" reads otherwise.
 */
const NOT_GRPC_HTTP_ANSWER = 'Received HTTP status code';

/** Deadline settings for one call: its own budget, capped by the HTTP request's deadline. */
export const callSettings = (ctx: CallContext, deadlineMs: number) => ({
  deadlineMs,
  parentDeadline: ctx.deadline,
});

/**
 * A peer from before a method answers UNIMPLEMENTED (a rolling upgrade that has not reached it
 * yet; docs/operations.md#upgrading-what-changed-for-operators). That is neither the client's
 * fault nor a bug: 503 UPSTREAM_UNIMPLEMENTED naming what the peer lacks, with Retry-After, where
 * the plain plumbing error would only say "unavailable". Only a gRPC server's own answer for a
 * method it lacks: grpc-js also reports an HTTP 404 from something that is not a gRPC server (a
 * wrong target, an ingress without the route) as UNIMPLEMENTED, a misrouting that waiting for an
 * upgrade will not cure; that one stays the plumbing error it is.
 */
export function unimplementedAs<T>(result: Result<T, CodedError>, what: string): Result<T, CodedError> {
  if (result.ok || result.error.code !== 'GRPC_UNIMPLEMENTED') return result;
  if (result.error.message.startsWith(NOT_GRPC_HTTP_ANSWER)) return result;
  return err(
    codedError(
      'unavailable',
      'UPSTREAM_UNIMPLEMENTED',
      `${what} is not served by the release running behind the gateway yet; retry once it is upgraded`,
    ),
  );
}

/**
 * proto3 has no required fields, so a response missing its payload is possible on the wire; it is
 * a bug of the peer, reported as unavailable (retrying later may reach a healthy replica).
 */
export function required<R, T>(
  result: Result<R, CodedError>,
  pick: (response: R) => T | undefined,
  what: string,
): Result<T, CodedError> {
  if (!result.ok) return result;
  const value = pick(result.value);
  return value === undefined
    ? err(codedError('unavailable', 'UPSTREAM_INVALID_RESPONSE', `upstream answered without ${what}`))
    : ok(value);
}
