import { err, ok, type CodedError, type Result } from '@mealpeak/core';
import { Errors, field } from '../domain/errors.ts';
import {
  between,
  MAX_INT,
  MAX_STOCK,
  validateId,
  validateMenuItem,
  profileOf,
  validateProfile,
  type MerchantProfile,
  type ProfileInput,
} from '../domain/merchant-profile.ts';
import type { ManualStatus, MenuItem } from '../domain/types.ts';
import { DEFAULT_MAX_MENU_ITEMS, type UseCaseDeps } from './deps.ts';
import type { Repo, StockChangeRecord } from './ports.ts';
import { publishIfChanged, recomputeControl, StatusReason } from './kitchen-sync.ts';
import { transactResult } from './transact.ts';
import { viewOf, type MerchantView } from './views.ts';
import { createZoneWarning } from './zone-warning.ts';

export type UpsertMerchantInput = ProfileInput;

export interface UpsertMenuItemInput {
  readonly merchantId: string;
  /** Empty to create with a new id; a given id that does not exist yet is created with that id. */
  readonly itemId: string;
  readonly name: string;
  readonly description: string;
  readonly price: { readonly amountMinor: number; readonly currency: string } | undefined;
  /** Units left now; required to create, undefined keeps a replaced item's stock. */
  readonly stock: number | undefined;
  readonly available: boolean;
  /** Only replace: an id that is not one of the merchant's items is ITEM_NOT_FOUND. */
  readonly replaceOnly?: boolean;
}

/** Exactly one of `stock` (units left) and `add` (units to add, negative to remove). */
export interface StockChangeInput {
  readonly merchantId: string;
  readonly itemId: string;
  readonly stock?: number | undefined;
  readonly add?: number | undefined;
  /** With `stock` only: write it only if the units left are this many now, else STOCK_CHANGED. */
  readonly expectedStock?: number | undefined;
  /**
   * Makes the change idempotent (adr/0022): the first change under it is recorded with its result
   * in the same transaction, a repeat answers that result and changes nothing.
   */
  readonly requestId?: string | undefined;
}

const invalid = (problems: ReturnType<typeof validateId>) => err(Errors.invalidArgument(problems));

export function catalogueUseCases({ store, clock, ids, settings, logger, warnIfZoneUnusable }: UseCaseDeps) {
  const maxMenuItems = settings.maxMenuItems ?? DEFAULT_MAX_MENU_ITEMS;
  const warnZone = warnIfZoneUnusable ?? createZoneWarning(logger);
  return {
    async getMerchant(
      merchantId: string,
    ): Promise<Result<{ merchant: MerchantView; menu: MenuItem[] }, CodedError>> {
      const problems = validateId(merchantId, 'merchant_id');
      if (problems.length > 0) return invalid(problems);
      const merchant = await store.repo.getMerchant(merchantId);
      if (!merchant) return err(Errors.merchantNotFound(merchantId));
      warnZone(merchant);
      return ok({ merchant: viewOf(merchant, clock.now()), menu: await store.repo.listMenu(merchantId) });
    },

    /** Onboarding and seeding: creates the merchant or replaces its profile (not status, backlog or menu). */
    async upsertMerchant(input: UpsertMerchantInput): Promise<Result<MerchantView, CodedError>> {
      const problems = validateProfile(input);
      if (problems.length > 0 || !input.location) return invalid(problems);
      const profile: MerchantProfile = profileOf({ ...input, location: input.location });
      return transactResult(store, async (tx) => {
        const now = clock.now();
        const existing = await tx.getMerchant(profile.id, { forUpdate: true });
        if (existing && (await tx.hasItemsPricedOtherThan(profile.id, profile.currency)))
          return err(
            Errors.currencyMismatch([field('currency', `the menu is priced in ${existing.currency}`)]),
          );
        const saved = await tx.saveProfile(profile);
        // A new threshold may pause or resume the merchant at its current backlog.
        return ok(viewOf(await recomputeControl(tx, saved, now), now));
      });
    },

    async upsertMenuItem(input: UpsertMenuItemInput): Promise<Result<MenuItem, CodedError>> {
      const problems = [
        ...validateId(input.merchantId, 'merchant_id'),
        ...(input.itemId === '' ? [] : validateId(input.itemId, 'item_id')),
        ...validateMenuItem({
          ...input,
          priceMinor: input.price?.amountMinor,
          currency: input.price?.currency ?? '',
        }),
      ];
      if (problems.length > 0 || !input.price) return invalid(problems);
      const price = input.price;
      // The merchant's row lock serialises creations, so the cap is exact under concurrency.
      return transactResult(store, async (tx) => {
        const merchant = await tx.getMerchant(input.merchantId, { forUpdate: true });
        if (!merchant) return err(Errors.merchantNotFound(input.merchantId));
        if (price.currency !== merchant.currency)
          return err(Errors.currencyMismatch([field('price.currency', `must be ${merchant.currency}`)]));
        const [existing] = input.itemId ? await tx.getItems([input.itemId]) : [];
        if (input.replaceOnly && existing?.merchantId !== merchant.id)
          return err(Errors.itemNotFound([field('item_id', 'not an item of this merchant')]));
        if (!existing && input.stock === undefined)
          return invalid([field('stock', 'is required to create an item')]);
        if (!existing && (await tx.countItems(merchant.id)) >= maxMenuItems)
          return err(Errors.menuFull(maxMenuItems));
        const saved = await tx.upsertItem({
          id: input.itemId || ids.newId(),
          merchantId: merchant.id,
          name: input.name.trim(),
          description: input.description,
          priceMinor: price.amountMinor,
          currency: price.currency,
          stock: input.stock,
          available: input.available,
        });
        // The id exists under another merchant: say "not found" rather than reveal whose it is.
        if (!saved) return err(Errors.itemNotFound([field('item_id', 'not an item of this merchant')]));
        return ok(saved);
      });
    },

    /**
     * Changes the units left: to `stock` (only if they are `expectedStock` when given), or by
     * `add` (negative removes; never below 0), atomically in either case. Reservations already
     * taken stay taken. The merchant's app restocks with `add`: an absolute figure computed from
     * one read earlier gives back the units orders took since (docs/merchant.md, "Stock changes by the merchant").
     */
    async setStock(input: StockChangeInput): Promise<Result<MenuItem, CodedError>> {
      const problems = [
        ...validateId(input.merchantId, 'merchant_id'),
        ...validateId(input.itemId, 'item_id'),
      ];
      const { stock, add, expectedStock } = input;
      if (stock === undefined && add === undefined)
        problems.push(field('stock', `is required, or add instead ${ONE_OF_STOCK_AND_ADD}`));
      if (stock !== undefined && add !== undefined)
        problems.push(field('add', `cannot go with stock ${ONE_OF_STOCK_AND_ADD}`));
      if (stock !== undefined && !between(stock, 0, MAX_INT))
        problems.push(field('stock', `must be 0 to ${MAX_INT}`));
      if (add !== undefined && !between(add, -MAX_INT, MAX_INT))
        problems.push(field('add', `must be an integer from -${MAX_INT} to ${MAX_INT}`));
      if (expectedStock !== undefined) {
        if (add !== undefined) problems.push(field('expected_stock', 'goes with stock only, not with add'));
        else if (!between(expectedStock, 0, MAX_INT))
          problems.push(field('expected_stock', `must be 0 to ${MAX_INT}`));
      }
      if (input.requestId !== undefined && (input.requestId.length === 0 || input.requestId.length > 200))
        problems.push(field('request_id', 'must be 1 to 200 characters'));
      if (problems.length > 0) return invalid(problems);
      const { requestId } = input;
      if (requestId === undefined) return changeStock(store.repo, input);
      const change = (result: number): StockChangeRecord => ({
        requestId,
        merchantId: input.merchantId,
        itemId: input.itemId,
        add,
        stock,
        expectedStock,
        result,
      });
      const recorded = await store.repo.getStockChange(input.merchantId, requestId);
      if (recorded) return answerRecorded(store.repo, recorded, change(recorded.result));
      const applied = await transactResult(store, async (tx) => {
        const written = await changeStock(tx, input);
        if (!written.ok) return written;
        // The UPDATE holds the item's row lock, so a concurrent repeat waits here and then finds
        // the record: a conflict means it committed first; roll back and answer its result.
        if (!(await tx.recordStockChange(change(written.value.stock)))) return err(REPEATED);
        return written;
      });
      if (applied.ok) return applied;
      // Refused, or beaten to the record. A repeat that waited for the row lock behind its first
      // request (still in flight when the gateway gave up on it) is refused on the figure the first
      // left; the first committed its record before releasing the lock, so it is visible now and is
      // the answer, not the refusal.
      const first = await store.repo.getStockChange(input.merchantId, requestId);
      if (first) return answerRecorded(store.repo, first, change(first.result));
      if (applied.error === REPEATED)
        throw new Error(`stock change ${requestId} conflicted but is not recorded`);
      return applied;
    },

    /** The merchant may open or pause; AUTO_PAUSED and CLOSED are the platform's to compute. */
    async setMerchantStatus(input: {
      merchantId: string;
      status: string;
    }): Promise<Result<MerchantView, CodedError>> {
      const problems = validateId(input.merchantId, 'merchant_id');
      if (input.status !== 'OPEN' && input.status !== 'PAUSED')
        problems.push(
          field('status', 'merchants may set OPEN or PAUSED; AUTO_PAUSED and CLOSED are computed'),
        );
      if (problems.length > 0) return invalid(problems);
      const status = input.status as ManualStatus;
      return transactResult(store, async (tx) => {
        const now = clock.now();
        const merchant = await tx.getMerchant(input.merchantId, { forUpdate: true });
        if (!merchant) return err(Errors.merchantNotFound(input.merchantId));
        if (merchant.manualStatus === status) return ok(viewOf(merchant, now));
        const after = { ...merchant, manualStatus: status };
        await tx.updateControl(merchant.id, after);
        await publishIfChanged(tx, merchant, after, StatusReason.byMerchant, now);
        return ok(viewOf(after, now));
      });
    },
  };
}

/** Field errors read "<field> <message>": the rule behind the two stock-or-add refusals. */
const ONE_OF_STOCK_AND_ADD = '(exactly one of stock, the units left, and add, the units to add or remove)';

/** Rolls back a change whose request id a concurrent repeat recorded first. */
const REPEATED = Errors.idempotencyKeyReused();

async function changeStock(repo: Repo, input: StockChangeInput): Promise<Result<MenuItem, CodedError>> {
  const { add, stock, expectedStock } = input;
  const written =
    add !== undefined
      ? await repo.addStock(input.merchantId, input.itemId, add)
      : await repo.setStock(input.merchantId, input.itemId, stock!, expectedStock);
  if (written?.ok) return ok(written.item);
  if (written && add !== undefined)
    return add < 0
      ? err(Errors.stockInsufficient(written.current, -add))
      : invalid([field('add', `would take the stock above ${MAX_STOCK} (${written.current} now)`)]);
  if (written) return err(Errors.stockChanged(written.current, expectedStock!));
  if (!(await repo.getMerchant(input.merchantId))) return err(Errors.merchantNotFound(input.merchantId));
  return err(Errors.itemNotFound([field('item_id', 'not an item of this merchant')]));
}

/**
 * A repeat of a recorded change: the item with the stock that change left (orders may have taken
 * units since; the caller asked what its change did). Another change under the same id is refused.
 */
async function answerRecorded(
  repo: Repo,
  recorded: StockChangeRecord,
  asked: StockChangeRecord,
): Promise<Result<MenuItem, CodedError>> {
  const same =
    recorded.merchantId === asked.merchantId &&
    recorded.itemId === asked.itemId &&
    recorded.add === asked.add &&
    recorded.stock === asked.stock &&
    recorded.expectedStock === asked.expectedStock;
  if (!same) return err(Errors.idempotencyKeyReused());
  const [item] = await repo.getItems([recorded.itemId]);
  if (item?.merchantId !== recorded.merchantId)
    return err(Errors.itemNotFound([field('item_id', 'not an item of this merchant')]));
  return ok({ ...item, stock: recorded.result });
}
