import type { Static } from 'typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { CodedError } from '@mealpeak/core';
import type { OrderFilter, OrderUseCases } from '../../../app/order-use-cases.ts';
import type { CallContext, DispatchPort, MerchantPort } from '../../../app/ports.ts';
import type { PositionUseCases } from '../../../app/position-use-cases.ts';
import { fromCodedError, Problems, sendProblem } from '../problems.ts';
import type { OrderListQuery } from '../schemas/orders.ts';
import { STATE_OF_NAME } from '../to-json.ts';

export interface RouteDeps {
  readonly orders: OrderUseCases;
  readonly merchants: MerchantPort;
  readonly dispatch: DispatchPort;
  readonly positions: PositionUseCases;
  /** Retry-After for 503s caused by an unavailable upstream. */
  readonly retryAfterSeconds: number;
}

export const ctxOf = (request: FastifyRequest): CallContext => ({ deadline: request.deadline });

/** A domain error from a port, answered in the gateway's error shape. */
export const failWith =
  (retryAfterSeconds: number) =>
  (request: FastifyRequest, reply: FastifyReply, error: CodedError): FastifyReply =>
    sendProblem(request, reply, fromCodedError(error, retryAfterSeconds));

/** 400 VALIDATION_FAILED naming one field: a rule the body's schema cannot say. */
export const invalidField = (request: FastifyRequest, reply: FastifyReply, field: string, message: string) =>
  sendProblem(request, reply, Problems.validation([{ field, message }], false));

/** `{ nextPageToken }` only when there is a next page. */
export const nextPage = (token: string) => (token === '' ? {} : { nextPageToken: token });

/** The order list's query (customer's and merchant's) as the use case's filter. */
export function orderFilterOf(query: Static<typeof OrderListQuery>): OrderFilter {
  return {
    states: (query.state ?? []).map((s) => STATE_OF_NAME[s]),
    pageSize: query.pageSize,
    pageToken: query.pageToken ?? '',
    oldestFirst: query.sort === 'oldest',
  };
}
