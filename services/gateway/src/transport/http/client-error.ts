import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyBaseLogger } from 'fastify';
import type { Problem } from './problems.ts';

/** What Node's HTTP parser hands to 'clientError' (an Error with its llhttp or http code). */
export interface ConnectionError extends Error {
  readonly code?: string;
}

/** Node's parser error codes -> our catalogue; anything else is a malformed request. */
function problemOf(error: ConnectionError): Problem {
  switch (error.code) {
    case 'HPE_HEADER_OVERFLOW':
      return {
        status: 431,
        code: 'HEADERS_TOO_LARGE',
        message: 'the request line and headers together are too large',
      };
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return { status: 408, code: 'CLIENT_TIMEOUT', message: 'the request did not arrive in time' };
    case 'HPE_INVALID_METHOD':
      return { status: 400, code: 'BAD_REQUEST', message: 'unknown HTTP method' };
    default:
      return { status: 400, code: 'BAD_REQUEST', message: 'malformed HTTP request' };
  }
}

/**
 * fastify's clientErrorHandler: requests Node's HTTP parser refuses (a 70 KB URL, an unknown
 * method, a broken request line) never reach fastify's routing, hooks or error handler, so they
 * are answered here, in the one error shape, and the socket is closed as fastify's default
 * handler does: after a parse error the connection cannot carry another request.
 */
export function createClientErrorHandler(log: FastifyBaseLogger) {
  return (error: ConnectionError, socket: Socket): void => {
    // A reset connection is gone already: nobody to answer.
    if (error.code === 'ECONNRESET' || socket.destroyed) return;
    const problem = problemOf(error);
    const requestId = randomUUID();
    // Debug, not info: mostly scanners and broken proxies, and one line each would be a free flood.
    log.debug({ err: error, requestId, status: problem.status }, 'client error');
    if (socket.writable) {
      const body = JSON.stringify({ code: problem.code, message: problem.message, requestId });
      socket.write(
        [
          `HTTP/1.1 ${problem.status} ${STATUS_CODES[problem.status] ?? 'Error'}`,
          'Content-Type: application/json; charset=utf-8',
          `Content-Length: ${Buffer.byteLength(body)}`,
          `x-request-id: ${requestId}`,
          'Connection: close',
          '',
          body,
        ].join('\r\n'),
      );
    }
    socket.destroy(error);
  };
}
