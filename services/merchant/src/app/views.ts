import { prepEstimateSeconds } from '../domain/kitchen.ts';
import { statusAt } from '../domain/merchant-status.ts';
import type { Merchant, MerchantStatus } from '../domain/types.ts';

/** A merchant with what is computed at read time: its status now and the estimate for a new order. */
export interface MerchantView extends Merchant {
  readonly status: MerchantStatus;
  readonly prepEstimateSeconds: number;
}

export const prepEstimateOf = (m: Merchant): number =>
  prepEstimateSeconds(m.basePrepSeconds, m.kitchenCapacity, m.backlog);

export const viewOf = (merchant: Merchant, at: Date): MerchantView => ({
  ...merchant,
  status: statusAt(merchant, at),
  prepEstimateSeconds: prepEstimateOf(merchant),
});
