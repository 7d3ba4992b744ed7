import { err, ok, type CodedError, type Result } from '@mealpeak/core';
import { addressProblem } from '../domain/address.ts';
import { Errors, field } from '../domain/errors.ts';
import { validateId } from '../domain/merchant-profile.ts';
import type { UseCaseDeps } from './deps.ts';
import { viewOf, type MerchantView } from './views.ts';

export interface SetMerchantAddressInput {
  readonly merchantId: string;
  readonly address: string;
}

/**
 * The street address on its own (SetMerchantAddress, scripts/set-addresses.ts). UpsertMerchant
 * replaces the whole profile, and what GetMerchant shows of it is not all of it (the prep estimate
 * is the base grown with the backlog), so giving merchants onboarded before addresses one through
 * it risked writing back figures it never read.
 */
export function merchantAddressUseCases({ store, clock }: UseCaseDeps) {
  return {
    async setMerchantAddress(input: SetMerchantAddressInput): Promise<Result<MerchantView, CodedError>> {
      const problems = validateId(input.merchantId, 'merchant_id');
      const problem = addressProblem(input.address);
      if (problem) problems.push(field('address', problem));
      if (problems.length > 0) return err(Errors.invalidArgument(problems));
      const saved = await store.repo.saveAddress(input.merchantId, input.address.trim());
      if (!saved) return err(Errors.merchantNotFound(input.merchantId));
      return ok(viewOf(saved, clock.now()));
    },
  };
}
