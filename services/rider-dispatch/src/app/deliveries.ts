import { err, ok, type CodedError, type Result } from '@mealpeak/core';
import type { Logger } from '@mealpeak/telemetry';
import { admitHandover, checkHandover, type Fix, type HandoverCheck } from '../domain/delivery/handover.ts';
import { DispatchErrors } from '../domain/errors.ts';
import type { Clock, DispatchStore, JudgeHandover, Positions } from './ports.ts';
import type { DispatchSettings } from './settings.ts';
import { requireIds } from './validation.ts';

export type HandoverStep = 'pickup' | 'delivery';

/**
 * The longest a customer's cancellation holds an order against pickup. The order service's
 * CANCELLED event ends the order here however late it comes (a lagging relay or consumer at peak)
 * as long as it comes within this; a refused cancellation releases the hold at once; this only
 * bounds the case where the gateway died between its two calls.
 */
export const CANCEL_HOLD_MS = 300_000;

export interface DeliveryDeps {
  readonly store: DispatchStore;
  readonly positions: Pick<Positions, 'get'>;
  readonly clock: Clock;
  readonly settings: Pick<DispatchSettings, 'handover'>;
  readonly logger: Logger;
  /** Told of every handover judged, refused ones included (metrics). */
  readonly onHandover?: (step: HandoverStep, check: HandoverCheck, refused: boolean) => void;
}

/**
 * Pickup and drop-off, reported by the rider holding the order; repeats are harmless. Each is
 * judged by where the rider's latest fresh position puts them (ADR 0015): recorded in the
 * published fact, and with HANDOVER_CHECK=enforce a handover far from its point is refused.
 */
export function createDeliveryUseCases(deps: DeliveryDeps) {
  const policy = deps.settings.handover;

  /** The rider's latest fresh fix; undefined when none, or when the index cannot be read. */
  async function latestFix(riderId: string): Promise<Fix | undefined> {
    try {
      return await deps.positions.get(riderId);
    } catch (error) {
      deps.logger.warn({ err: error, riderId }, 'position index unreadable: handover unverified');
      return undefined;
    }
  }

  /**
   * Runs `run` (the store's pickup or delivery) with a judge of where the rider is. The judge runs
   * inside the store's transaction, perhaps more than once (a retried deadlock): what it decided
   * last is counted and logged once, after the store answered.
   */
  async function judged(
    step: HandoverStep,
    riderId: string,
    orderId: string,
    run: (judge: JudgeHandover) => Promise<Result<void, CodedError>>,
  ): Promise<Result<void, CodedError>> {
    if (policy.mode === 'off') return run(() => ok(undefined));
    const fix = await latestFix(riderId);
    const now = deps.clock.now();
    let last: { check: HandoverCheck; refused: boolean } | undefined;
    const result = await run((point) => {
      const check = checkHandover(point, fix, now, policy);
      const admitted = admitHandover(step, orderId, check, policy);
      last = { check, refused: !admitted.ok };
      return admitted;
    });
    // Committed, or refused for where the rider is: what the rider was told. A repeat is not
    // judged, so counts nothing.
    if (last && (result.ok || last.refused)) {
      const { check, refused } = last;
      deps.onHandover?.(step, check, refused);
      if (check.verdict === 'far')
        deps.logger.warn(
          { riderId, orderId, step, distanceM: check.distanceM, fixAgeS: check.fixAgeS, refused },
          'handover far from its point',
        );
    }
    return result;
  }

  /**
   * An order taken back from this rider is not a stranger's: they are told it was released and
   * why (ORDER_RELEASED), not ORDER_NOT_HELD. Read only when refused, after the transaction.
   */
  async function told(
    riderId: string,
    orderId: string,
    result: Result<void, CodedError>,
  ): Promise<Result<void, CodedError>> {
    if (result.ok || result.error.code !== 'ORDER_NOT_HELD') return result;
    const release = await deps.store.releaseOf(orderId, riderId);
    if (!release) return result; // a stranger's order: nothing more to say
    // Taken back, then cancelled (no rider any more): the cancellation is what matters to them.
    if ((await deps.store.getOrder(orderId))?.state === 'cancelled')
      return err(DispatchErrors.orderCancelled(orderId));
    return err(DispatchErrors.orderReleased(orderId, release.reason));
  }

  return {
    async markPickedUp(riderId: string, orderId: string): Promise<Result<void, CodedError>> {
      const valid = requireIds({ riderId, orderId });
      if (!valid.ok) return valid;
      return told(
        riderId,
        orderId,
        await judged('pickup', riderId, orderId, (judge) =>
          deps.store.markPickedUp(orderId, riderId, deps.clock.now(), judge),
        ),
      );
    },
    async markDelivered(riderId: string, orderId: string): Promise<Result<void, CodedError>> {
      const valid = requireIds({ riderId, orderId });
      if (!valid.ok) return valid;
      return told(
        riderId,
        orderId,
        await judged('delivery', riderId, orderId, (judge) =>
          deps.store.markDelivered(orderId, riderId, deps.clock.now(), judge),
        ),
      );
    },
    /**
     * A customer's cancellation asks before the order service decides (ADR 0016): refused with
     * ORDER_PICKED_UP once the food is with the rider; otherwise no pickup until the CANCELLED
     * event, a release (the cancellation was refused), or CANCEL_HOLD_MS.
     */
    async holdForCancellation(orderId: string, release = false): Promise<Result<void, CodedError>> {
      const valid = requireIds({ orderId });
      if (!valid.ok) return valid;
      if (release) return deps.store.releaseCancellationHold(orderId);
      return deps.store.holdForCancellation(orderId, new Date(deps.clock.now().getTime() + CANCEL_HOLD_MS));
    },
  };
}
