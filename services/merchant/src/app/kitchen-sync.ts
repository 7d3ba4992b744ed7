import {
  backlogThatMatters,
  cookedWhenCancelled,
  nextAutoPaused,
  nextKitchenOrder,
  type OrderSnapshot,
} from '../domain/kitchen.ts';
import { controlStatus, statusAt } from '../domain/merchant-status.ts';
import type { Merchant } from '../domain/types.ts';
import type { Repo } from './ports.ts';
import { releaseReservation } from './release.ts';

export const StatusReason = {
  byMerchant: 'SET_BY_MERCHANT',
  backlogHigh: 'BACKLOG_ABOVE_THRESHOLD',
  backlogRecovered: 'BACKLOG_RECOVERED',
} as const;

/** Writes a MerchantStatusChanged event when the control status differs between the two. */
export async function publishIfChanged(
  tx: Repo,
  before: Merchant,
  after: Merchant,
  reason: string,
  now: Date,
): Promise<void> {
  const from = controlStatus(before);
  const to = controlStatus(after);
  if (from === to) return;
  await tx.publishStatusChanged({
    merchant: after,
    from,
    to,
    reason,
    at: now,
    effectiveStatus: statusAt(after, now),
  });
}

/**
 * Recounts the backlog of a merchant locked in `tx` and applies auto-pause/resume. Counting (not
 * incrementing) keeps the figure right however often or in whatever order events are applied.
 */
export async function recomputeControl(tx: Repo, merchant: Merchant, now: Date): Promise<Merchant> {
  const backlog = await tx.countBacklog(merchant.id, backlogThatMatters(merchant));
  const autoPaused = nextAutoPaused(merchant.autoPaused, backlog, merchant.autoPauseBacklog);
  if (backlog === merchant.backlog && autoPaused === merchant.autoPaused) return merchant;
  const after: Merchant = { ...merchant, backlog, autoPaused };
  await tx.updateControl(merchant.id, after);
  const reason = autoPaused ? StatusReason.backlogHigh : StatusReason.backlogRecovered;
  await publishIfChanged(tx, merchant, after, reason, now);
  return after;
}

/**
 * Brings the merchant's view of one order up to `snapshot`, in `tx`: the reservation (REJECTED and
 * CANCELLED release it, unless the food was cooked: then its stock stays taken) and the kitchen
 * row, then backlog and auto-pause. PLACED never comes here:
 * it takes the consumer's batch path (order-events.ts), which confirms the hold (and files the
 * order as `placed` in the kitchen) or settles it.
 * Idempotent, whether the snapshot comes from an event or from the order service's reply to the
 * merchant's own command, and safe in any order thanks to the snapshot version.
 */
export async function applyOrderSnapshot(
  tx: Repo,
  snapshot: OrderSnapshot,
  reason: string,
  now: Date,
): Promise<void> {
  // The merchant row is locked first: before the kitchen row is read, so concurrent snapshots of
  // one merchant's orders apply one after the other and the backlog count sees every one of them;
  // and before a release returns stock to item rows, in the order a menu edit takes them
  // (merchant, then item), so the two never deadlock.
  const merchant = await tx.getMerchant(snapshot.merchantId, { forUpdate: true });
  if (
    (snapshot.state === 'REJECTED' || snapshot.state === 'CANCELLED') &&
    !cookedWhenCancelled(snapshot, await tx.getKitchenOrder(snapshot.orderId))
  )
    await releaseReservation(tx, snapshot.orderId, reason || `ORDER_${snapshot.state}`, now);
  if (!merchant) return;
  const next = nextKitchenOrder(await tx.getKitchenOrder(snapshot.orderId), snapshot);
  if (!next) return;
  await tx.saveKitchenOrder(next);
  await recomputeControl(tx, merchant, now);
}
