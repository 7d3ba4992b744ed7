import { describe, expect, it } from 'vitest';
import { codedError, err, ok } from '@mealpeak/core';
import { unimplementedAs } from './grpc-result.ts';

describe('a method the peer does not serve', () => {
  it('is an upgrade in progress when a gRPC server says it lacks the method', () => {
    const res = unimplementedAs(
      err(
        codedError(
          'unavailable',
          'GRPC_UNIMPLEMENTED',
          'The server does not implement the method /mealpeak.dispatch.v1.DispatchService/GetDispatchStatus',
        ),
      ),
      'the dispatch status',
    );
    expect(res).toMatchObject({ ok: false, error: { code: 'UPSTREAM_UNIMPLEMENTED', kind: 'unavailable' } });
  });

  it('stays a plumbing error when the answer was HTTP from something that is not a gRPC server', () => {
    // grpc-js makes UNIMPLEMENTED of a 404 from a proxy or web server: a misrouting, which no
    // upgrade cures, so it must not read "retry once it is upgraded".
    const notGrpc = err(codedError('unavailable', 'GRPC_UNIMPLEMENTED', 'Received HTTP status code 404'));
    expect(unimplementedAs(notGrpc, 'the dispatch status')).toBe(notGrpc);
  });

  it('leaves answers and other errors as they are', () => {
    const answer = ok({ phase: 1 });
    expect(unimplementedAs(answer, 'x')).toBe(answer);
    const notFound = err(codedError('not_found', 'ORDER_NOT_FOUND', 'no such order'));
    expect(unimplementedAs(notFound, 'x')).toBe(notFound);
  });
});
