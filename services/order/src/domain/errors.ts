import { codedError, type CodedError, type FieldError } from '@mealpeak/core';
import type { ActorRole, OrderState } from './order.ts';

/** Every expected failure of the order service, with its stable code (see docs/api.md). */
export const OrderErrors = {
  notFound: (orderId: string): CodedError =>
    codedError('not_found', 'ORDER_NOT_FOUND', `order ${orderId} does not exist`),
  illegalTransition: (state: OrderState, command: string): CodedError =>
    codedError(
      'conflict',
      'ILLEGAL_TRANSITION',
      `cannot ${command.toLowerCase().replace(/_/g, ' ')} an order that is ${state}`,
    ),
  notAllowed: (role: ActorRole, command: string): CodedError =>
    codedError(
      'forbidden',
      'ACTOR_NOT_ALLOWED',
      `a ${role} may not ${command.toLowerCase().replace(/_/g, ' ')} this order`,
    ),
  invalid: (fields: readonly FieldError[]): CodedError =>
    codedError(
      'invalid',
      'INVALID_ARGUMENT',
      fields.map((f) => `${f.field}: ${f.message}`).join('; '),
      fields,
    ),
  reservationExpired: (orderId: string): CodedError =>
    codedError(
      'conflict',
      'RESERVATION_EXPIRED',
      `order ${orderId} could not be stored before the merchant's stock hold ended; place it again with a new Idempotency-Key`,
    ),
  /** A rider assignment older than the one the order holds: a replay or redelivery (ADR 0013). */
  staleAssignment: (riderId: string, assignedAt: Date, current: string): CodedError =>
    codedError(
      'conflict',
      'STALE_RIDER_ASSIGNMENT',
      `rider ${riderId} accepted at ${assignedAt.toISOString()}, not after rider ${current}, whom the order names`,
    ),
  idConflict: (orderId: string): CodedError =>
    codedError('conflict', 'ORDER_ID_CONFLICT', `order id ${orderId} is already used by a different order`),
} as const;
