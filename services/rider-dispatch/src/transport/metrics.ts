import { Attr, SpanStatusCode, metrics, sampled, trace } from '@mealpeak/telemetry';
import type { HandoverStep } from '../app/deliveries.ts';
import type { QueueStats, Release } from '../app/ports.ts';
import type { HandoverCheck } from '../domain/delivery/handover.ts';
import type { RoundReport } from '../app/rounds.ts';

/**
 * Dispatch metrics and span attributes. The names follow libs/telemetry's Metric registry and belong there (that lib
 * is shared, so they wait here until it takes them).
 */
export const DispatchMetric = {
  ROUND_DURATION: 'mealpeak.dispatch.round.duration',
  OFFERS: 'mealpeak.dispatch.offers.created',
  CLAIM_CONFLICTS: 'mealpeak.dispatch.claim.conflicts',
  ZONES_HELD: 'mealpeak.dispatch.zones.held',
  UNASSIGNED_ORDERS: 'mealpeak.dispatch.unassigned.orders',
  UNASSIGNED_OLDEST_AGE: 'mealpeak.dispatch.unassigned.oldest_age',
  ORDERS_RELEASED: 'mealpeak.dispatch.orders.released',
  PICKED_UP_SILENT: 'mealpeak.dispatch.picked_up_silent.orders',
  HANDOVERS: 'mealpeak.dispatch.handovers',
} as const;

export const DispatchAttr = {
  OFFERS: 'mealpeak.dispatch.offers',
  CONFLICTS: 'mealpeak.dispatch.conflicts',
  RELEASE_REASON: 'mealpeak.dispatch.release_reason',
  HANDOVER_STEP: 'mealpeak.dispatch.handover_step',
  HANDOVER_VERDICT: 'mealpeak.dispatch.handover_verdict',
  HANDOVER_REFUSED: 'mealpeak.dispatch.handover_refused',
} as const;

const meter = metrics.getMeter('@mealpeak/rider-dispatch');
const roundDuration = meter.createHistogram(DispatchMetric.ROUND_DURATION, {
  unit: 's',
  description: 'Duration of one dispatch round of one zone',
});
const offers = meter.createCounter(DispatchMetric.OFFERS, { description: 'Offers claimed and sent' });
const conflicts = meter.createCounter(DispatchMetric.CLAIM_CONFLICTS, {
  description: 'Assignments whose claim found the rider or an order taken',
});

const released = meter.createCounter(DispatchMetric.ORDERS_RELEASED, {
  description: 'Accepted orders taken back from their rider (silent, going offline, shift over), by reason',
});

const handovers = meter.createCounter(DispatchMetric.HANDOVERS, {
  description:
    'Pickups and deliveries judged by where the rider was (near, far, unverified), refused ones included',
});

const tracer = trace.getTracer('@mealpeak/rider-dispatch');

/** Rounds start from a timer, not a request: each gets its own trace, grouping its SQL and Redis calls. */
export function tracedRound(
  strategy: string,
  run: (zone: string) => Promise<RoundReport>,
): (zone: string) => Promise<RoundReport> {
  return (zone) =>
    tracer.startActiveSpan(
      'dispatch round',
      { attributes: { [Attr.ZONE_ID]: zone, [Attr.DISPATCH_STRATEGY]: strategy } },
      async (span) => {
        try {
          const report = await run(zone);
          span.setAttributes({
            [DispatchAttr.OFFERS]: report.offers,
            [DispatchAttr.CONFLICTS]: report.conflicts,
          });
          return report;
        } catch (error) {
          span.recordException(error instanceof Error ? error : new Error(String(error)));
          span.setStatus({ code: SpanStatusCode.ERROR });
          throw error;
        } finally {
          span.end();
        }
      },
    );
}

export function recordRound(report: RoundReport, ms: number): void {
  if (report.orders === 0) return;
  roundDuration.record(ms / 1000);
  offers.add(report.offers);
  conflicts.add(report.conflicts);
}

export function recordRelease(release: Release): void {
  released.add(release.orderIds.length, { [DispatchAttr.RELEASE_REASON]: release.reason });
}

export function recordHandover(step: HandoverStep, check: HandoverCheck, refused: boolean): void {
  handovers.add(1, {
    [DispatchAttr.HANDOVER_STEP]: step,
    [DispatchAttr.HANDOVER_VERDICT]: check.verdict,
    [DispatchAttr.HANDOVER_REFUSED]: refused,
  });
}

export function observeZonesHeld(held: () => number): void {
  meter
    .createObservableGauge(DispatchMetric.ZONES_HELD, { description: 'Zone leases this replica holds' })
    .addCallback((observer) => observer.observe(held()));
}

/**
 * The dispatch queue as alerts see it: orders waiting for a rider (those taken back from a rider
 * included), how long the oldest has waited since placement, and picked-up orders whose rider went
 * silent. `read` runs on the exporter's scrape, at most every few seconds.
 */
export function observeQueue(
  read: () => Promise<QueueStats>,
  minIntervalMs = 5_000,
  now: () => number = Date.now,
): void {
  const sample = sampled(read, { waiting: 0, oldestAgeSeconds: 0, pickedUpSilent: 0 }, minIntervalMs, now);
  const waiting = meter.createObservableGauge(DispatchMetric.UNASSIGNED_ORDERS, {
    description: 'Orders waiting for a rider (not yet offered)',
  });
  const oldest = meter.createObservableGauge(DispatchMetric.UNASSIGNED_OLDEST_AGE, {
    unit: 's',
    description: 'Time since placement of the oldest order waiting for a rider',
  });
  const pickedUpSilent = meter.createObservableGauge(DispatchMetric.PICKED_UP_SILENT, {
    description: 'Picked-up orders whose rider has sent no position for RIDER_SILENT_REASSIGN_MS or longer',
  });
  meter.addBatchObservableCallback(
    async (observer) => {
      // While reads fail (a statement timeout, the database away), the last count stays and the
      // oldest order keeps ageing (sampled), as the outbox's gauges do: frozen values would keep
      // the unassigned-order alert quiet for as long as the failures last.
      const { value, staleSeconds } = await sample();
      observer.observe(waiting, value.waiting);
      observer.observe(oldest, value.oldestAgeSeconds + (value.waiting > 0 ? staleSeconds : 0));
      observer.observe(pickedUpSilent, value.pickedUpSilent);
    },
    [waiting, oldest, pickedUpSilent],
  );
}
