import { Errors, type MerchantError } from './errors.ts';
import { isOpenAt } from './opening-hours.ts';
import type { Merchant, MerchantStatus } from './types.ts';

type StatusInputs = Pick<Merchant, 'manualStatus' | 'autoPaused' | 'openingHours' | 'timeZone'>;

/**
 * The status customers see at `instant`. Precedence: CLOSED (outside opening hours) over PAUSED
 * (the merchant's choice) over AUTO_PAUSED (the platform's) over OPEN: each one tells the customer
 * the most useful thing, and a merchant pause outlives any auto-resume.
 */
export function statusAt(merchant: StatusInputs, instant: Date): MerchantStatus {
  if (!isOpenAt(merchant.openingHours, merchant.timeZone, instant)) return 'CLOSED';
  return controlStatus(merchant);
}

/**
 * The status set by the merchant and the platform, without the calendar: what a
 * MerchantStatusChanged event reports, since opening and closing by the hours is no event.
 */
export function controlStatus(merchant: Pick<Merchant, 'manualStatus' | 'autoPaused'>): MerchantStatus {
  if (merchant.manualStatus === 'PAUSED') return 'PAUSED';
  return merchant.autoPaused ? 'AUTO_PAUSED' : 'OPEN';
}

/** Why a merchant in `status` takes no new order, or undefined when it does. */
export function refusalFor(status: MerchantStatus): MerchantError | undefined {
  switch (status) {
    case 'OPEN':
      return undefined;
    case 'CLOSED':
      return Errors.merchantClosed();
    case 'PAUSED':
      return Errors.merchantPaused();
    case 'AUTO_PAUSED':
      return Errors.merchantBusy();
  }
}
