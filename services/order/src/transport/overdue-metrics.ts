import { metrics, sampled } from '@mealpeak/telemetry';

export const OverdueMetric = {
  ACCEPTED_OVERDUE: 'mealpeak.order.accepted_overdue.orders',
  ACCEPTED_OVERDUE_AGE: 'mealpeak.order.accepted_overdue.oldest_age',
} as const;

export interface AcceptedOverdue {
  /** ACCEPTED orders past their expected ready time by more than the grace. */
  readonly count: number;
  /** Time since the expected ready time of the most overdue of them (0 when none). */
  readonly oldestSeconds: number;
}

const meter = metrics.getMeter('@mealpeak/order');

/**
 * Orders a merchant accepted and never marked ready (alert MealpeakAcceptedOrdersOverdue,
 * docs/operations.md). `read` runs on the exporter's scrape, at most every `minIntervalMs`; every
 * replica reports the whole table, so alerts take the maximum over replicas.
 */
export function observeAcceptedOverdue(
  read: () => Promise<AcceptedOverdue>,
  minIntervalMs = 10_000,
  now: () => number = Date.now,
): void {
  const sample = sampled(read, { count: 0, oldestSeconds: 0 }, minIntervalMs, now);
  const count = meter.createObservableGauge(OverdueMetric.ACCEPTED_OVERDUE, {
    description: 'ACCEPTED orders past their expected ready time by more than ACCEPTED_OVERDUE_GRACE_MS',
  });
  const oldest = meter.createObservableGauge(OverdueMetric.ACCEPTED_OVERDUE_AGE, {
    unit: 's',
    description: 'Time since the expected ready time of the most overdue ACCEPTED order',
  });
  meter.addBatchObservableCallback(
    async (observer) => {
      // A failing read keeps the last count and lets the age grow (sampled), so the alert does
      // not go quiet while the database is slow or away.
      const { value, staleSeconds } = await sample();
      observer.observe(count, value.count);
      observer.observe(oldest, value.oldestSeconds + (value.count > 0 ? staleSeconds : 0));
    },
    [count, oldest],
  );
}
