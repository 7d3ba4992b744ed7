import { err, isUuid, ok, textProblem, type CodedError, type Result } from '@mealpeak/core';
import type { Order } from '@mealpeak/contracts/order.v1';
import { Errors, field } from '../domain/errors.ts';
import { backlogThatMatters, prepEstimateSeconds } from '../domain/kitchen.ts';
import { validateId } from '../domain/merchant-profile.ts';
import type { Merchant } from '../domain/types.ts';
import type { UseCaseDeps } from './deps.ts';
import { applyOrderSnapshot } from './kitchen-sync.ts';
import { snapshotOf } from './order-snapshot.ts';
import type { CallOptions, MerchantCommand } from './ports.ts';

export interface OrderRef {
  readonly merchantId: string;
  readonly orderId: string;
}

/**
 * Accept, reject and mark ready: the order service decides whether the transition is legal (ADR
 * 0006) and its errors pass through unchanged; the merchant service checks the order is the
 * caller's, supplies the preparation estimate, and updates its kitchen view from the reply. A crash
 * between the two steps heals when the order event arrives.
 */
export function kitchenCommandUseCases({ store, orders, clock }: UseCaseDeps) {
  async function run(
    given: OrderRef,
    command: (merchant: Merchant, orderId: string) => MerchantCommand | Promise<MerchantCommand>,
    options: CallOptions,
  ): Promise<Result<Order, CodedError>> {
    // Order ids are UUIDs, which the order service reads in either case and hands out (and so
    // reserves under) in lower case: an upper-case id the customer's app showed must find it too.
    const ref = isUuid(given.orderId) ? { ...given, orderId: given.orderId.toLowerCase() } : given;
    const invalid = [...validateId(ref.merchantId, 'merchant_id'), ...validateId(ref.orderId, 'order_id')];
    if (invalid.length > 0) return err(Errors.invalidArgument(invalid));
    // The reservation says which merchant the order belongs to; anyone else's order is "not found".
    const reservation = await store.repo.getReservation(ref.orderId);
    if (!reservation || reservation.merchantId !== ref.merchantId)
      return err(Errors.orderNotFound(ref.orderId));
    const merchant = await store.repo.getMerchant(ref.merchantId);
    if (!merchant) return err(Errors.orderNotFound(ref.orderId));

    const result = await orders.transition(
      ref.orderId,
      ref.merchantId,
      await command(merchant, ref.orderId),
      options,
    );
    if (!result.ok) return result;
    const snapshot = snapshotOf(result.value);
    if (snapshot) {
      const reason = result.value.reason;
      await store.transaction((tx) => applyOrderSnapshot(tx, snapshot, reason, clock.now()));
    }
    return ok(result.value);
  }

  return {
    // The estimate counts the work ahead of this order only (docs/merchant.md, "Kitchen"): the
    // merchant's stored backlog also holds the order itself and every order placed after it.
    acceptOrder: (ref: OrderRef, options: CallOptions = {}) =>
      run(
        ref,
        async (m, orderId) => ({
          kind: 'accept',
          prepSeconds: prepEstimateSeconds(
            m.basePrepSeconds,
            m.kitchenCapacity,
            await store.repo.countAhead(m.id, orderId, backlogThatMatters(m)),
          ),
        }),
        options,
      ),

    async rejectOrder(ref: OrderRef & { reason: string }, options: CallOptions = {}) {
      const reason = ref.reason.trim();
      if (reason.length === 0 || textProblem(reason, 64))
        return err(Errors.invalidArgument([field('reason', 'a reason code of 1-64 characters is required')]));
      return run(ref, () => ({ kind: 'reject', reason }), options);
    },

    markOrderReady: (ref: OrderRef, options: CallOptions = {}) =>
      run(ref, () => ({ kind: 'mark_ready' }), options),
  };
}
