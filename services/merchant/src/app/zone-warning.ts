import type { Logger } from '@mealpeak/telemetry';
import { isUsableTimeZone } from '../domain/opening-hours.ts';

/** Logs a merchant whose stored time zone this runtime cannot evaluate; see createZoneWarning. */
export type ZoneWarning = (merchant: { readonly id: string; readonly timeZone: string }) => void;

/**
 * Such a merchant is CLOSED wherever its status is computed (isOpenAt): in listings, GetMerchant
 * and ReserveStock alike. Each of those calls this, which logs once per merchant and process, so
 * the profile gets fixed without flooding the log. createUseCases builds one for all of them.
 */
export function createZoneWarning(logger: Logger): ZoneWarning {
  const warned = new Set<string>();
  return (m) => {
    if (warned.has(m.id) || isUsableTimeZone(m.timeZone)) return;
    warned.add(m.id);
    logger.warn(
      { merchantId: m.id, timeZone: m.timeZone },
      'merchant time zone unknown to this runtime: closed until its profile names an IANA zone',
    );
  };
}
