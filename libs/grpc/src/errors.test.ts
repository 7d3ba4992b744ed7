import { describe, expect, it } from 'vitest';
import { Metadata, status, type ServiceError } from '@grpc/grpc-js';
import { codedError, TransientFailure, type ErrorKind } from '@mealpeak/core';
import { classifyThrown, fromServiceError, kindOfStatus, statusOfKind, toStatus } from './errors.ts';

const asServiceError = (s: ReturnType<typeof toStatus>): ServiceError =>
  Object.assign(new Error(s.details), { code: s.code!, details: s.details!, metadata: s.metadata! });

describe('domain error <-> gRPC status', () => {
  const kinds: ErrorKind[] = [
    'invalid',
    'not_found',
    'conflict',
    'forbidden',
    'unauthenticated',
    'exhausted',
    'unavailable',
    'timeout',
    'internal',
  ];

  it.each(kinds)('round-trips kind %s with its code and fields', (kind) => {
    const original = codedError(kind, 'SOME_CODE', 'human message', [
      { field: 'lines[0].quantity', message: 'must be positive' },
    ]);
    expect(fromServiceError(asServiceError(toStatus(original)))).toEqual(original);
    expect(kindOfStatus(statusOfKind(kind), true)).toBe(kind);
  });

  it('maps the statuses the business cares about', () => {
    expect(statusOfKind('exhausted')).toBe(status.RESOURCE_EXHAUSTED);
    expect(statusOfKind('conflict')).toBe(status.FAILED_PRECONDITION);
    expect(statusOfKind('invalid')).toBe(status.INVALID_ARGUMENT);
  });

  it('names errors from peers that send no code after their status', () => {
    const e = Object.assign(new Error('x'), {
      code: status.UNAVAILABLE,
      details: 'connection refused',
      metadata: new Metadata(),
    });
    expect(fromServiceError(e)).toEqual({
      kind: 'unavailable',
      code: 'GRPC_UNAVAILABLE',
      message: 'connection refused',
    });
  });

  it('carries field errors in any script across the hop', () => {
    const original = codedError('conflict', 'ITEM_UNAVAILABLE', 'menu item is not available', [
      { field: 'lines[0].item_id', message: 'Matjesbrötchen is unavailable' },
      { field: 'lines[1].item_id', message: '红烧肉 is unavailable' },
    ]);
    expect(fromServiceError(asServiceError(toStatus(original)))).toEqual(original);
  });

  it('also writes ASCII field errors the old way, for peers from before the binary entry', () => {
    const fields = [{ field: 'lines[0].quantity', message: 'short' }];
    const st = toStatus(codedError('exhausted', 'STOCK_EXHAUSTED', 'not enough stock', fields));
    expect(JSON.parse(String(st.metadata!.get('mealpeak-error-fields')[0]))).toEqual(fields);
    const utf8 = toStatus(
      codedError('conflict', 'ITEM_UNAVAILABLE', 'x', [{ field: 'f', message: '红烧肉' }]),
    );
    expect(utf8.metadata!.get('mealpeak-error-fields')).toEqual([]);
  });

  it('still reads the ASCII field errors of a peer from before the binary entry', () => {
    const metadata = new Metadata();
    metadata.set('mealpeak-error-code', 'STOCK_EXHAUSTED');
    metadata.set('mealpeak-error-fields', JSON.stringify([{ field: 'lines[0].quantity', message: 'short' }]));
    const e = Object.assign(new Error('x'), {
      code: status.RESOURCE_EXHAUSTED,
      details: 'not enough stock',
      metadata,
    });
    expect(fromServiceError(e).fields).toEqual([{ field: 'lines[0].quantity', message: 'short' }]);
  });
});

describe('thrown errors', () => {
  it('takes a dependency that is down for UNAVAILABLE, and anything else for INTERNAL', () => {
    const pg = (code: string) => Object.assign(new Error('pg'), { code });
    for (const e of [
      pg('08006'), // connection failure
      pg('57P01'), // admin shutdown
      pg('57014'), // statement timeout
      pg('53300'), // too many connections
      pg('40P01'), // deadlock
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }),
      new Error('timeout exceeded when trying to connect'),
      new Error('Connection terminated unexpectedly'),
      new Error('Client has encountered a connection error and is not queryable'),
      new Error("Stream isn't writeable and enableOfflineQueue options is false"),
      Object.assign(new Error('kafka'), { retriable: true }),
      new Error('wrapped', { cause: pg('08001') }),
      new TransientFailure('the order service answered UNAVAILABLE'),
    ])
      expect(classifyThrown(e)).toBe('unavailable');
    for (const e of [
      pg('22021'), // invalid byte sequence (a NUL in text)
      pg('08P01'), // protocol violation: a bug, not an outage
      pg('23505'), // unique violation nobody expected
      new TypeError('x is undefined'),
      'a string',
      undefined,
      (() => {
        const a = new Error('a');
        a.cause = new Error('b', { cause: a }); // a cycle of causes ends
        return a;
      })(),
    ])
      expect(classifyThrown(e)).toBe('internal');
  });

  it('reads INTERNAL as internal only when one of our peers said so', () => {
    expect(kindOfStatus(status.INTERNAL, true)).toBe('internal');
    // grpc-js reports a stream broken by a dying replica as INTERNAL: worth a retry.
    expect(kindOfStatus(status.INTERNAL)).toBe('unavailable');
    expect(statusOfKind('internal')).toBe(status.INTERNAL);
  });
});
