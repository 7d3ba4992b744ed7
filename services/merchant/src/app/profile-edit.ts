import { err, ok, type CodedError, type Result } from '@mealpeak/core';
import { Errors } from '../domain/errors.ts';
import { validateId } from '../domain/merchant-profile.ts';
import {
  isEmptyChange,
  MERCHANT_EDITABLE,
  storedChange,
  validateProfileChange,
  type ProfileChange,
} from '../domain/profile-change.ts';
import type { MenuItem } from '../domain/types.ts';
import type { UseCaseDeps } from './deps.ts';
import { recomputeControl } from './kitchen-sync.ts';
import { transactResult } from './transact.ts';
import { viewOf, type MerchantView } from './views.ts';

export type UpdateMerchantProfileInput = ProfileChange & { readonly merchantId: string };

/** The proto's names of the editable fields, for the refusal of an empty edit. */
const FIELD_NAMES = MERCHANT_EDITABLE.map((k) => k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`));

/**
 * A merchant's edit of its own profile (UpdateMerchantProfile): only the fields given change.
 * UpsertMerchant replaces the whole profile and SetMerchantAddress sets one field; this is the
 * partial form of the first, with its rules (docs/merchant.md, "Profile edits by the merchant").
 */
export function profileEditUseCases({ store, clock }: UseCaseDeps) {
  return {
    async updateMerchantProfile(
      input: UpdateMerchantProfileInput,
    ): Promise<Result<{ merchant: MerchantView; menu: MenuItem[] }, CodedError>> {
      const { merchantId, ...change } = input;
      const problems = [...validateId(merchantId, 'merchant_id'), ...validateProfileChange(change)];
      if (problems.length > 0) return err(Errors.invalidArgument(problems));
      if (isEmptyChange(change)) return err(Errors.nothingToChange(FIELD_NAMES));
      const saved = await transactResult(store, async (tx) => {
        const now = clock.now();
        // The merchant row first, as every write of this service takes it: concurrent edits queue
        // here, and each writes only its own fields onto the row the one before left.
        const current = await tx.getMerchant(merchantId, { forUpdate: true });
        if (!current) return err(Errors.merchantNotFound(merchantId));
        // A new capacity carries the auto-pause threshold with it (autoPauseFollowingCapacity).
        const updated = await tx.updateProfile(merchantId, storedChange(current, change));
        if (!updated) return err(Errors.merchantNotFound(merchantId));
        // Capacity and base time bound how far the backlog is counted (backlogThatMatters): recount
        // at once, so the estimate shown and quoted from now on is the new kitchen's.
        return ok(viewOf(await recomputeControl(tx, updated, now), now));
      });
      if (!saved.ok) return saved;
      return ok({ merchant: saved.value, menu: await store.repo.listMenu(merchantId) });
    },
  };
}
