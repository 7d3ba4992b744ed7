import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  kitchenStateOf,
  nextAutoPaused,
  nextKitchenOrder,
  prepEstimateSeconds,
  resumeBacklog,
  type KitchenOrder,
  MAX_PREP_ESTIMATE_SECONDS,
  backlogThatMatters,
} from './kitchen.ts';
import type { OrderState } from './types.ts';

describe('preparation estimate', () => {
  it('is the base time while the kitchen has a free slot, then grows by a base time per full load', () => {
    const base = 600;
    const capacity = 4;
    expect([0, 1, 3, 4, 7, 8, 11, 12].map((b) => prepEstimateSeconds(base, capacity, b) / base)).toEqual([
      1, 1, 1, 2, 2, 3, 3, 4,
    ]);
  });

  it('treats a capacity of 0 as 1 rather than dividing by zero', () => {
    expect(prepEstimateSeconds(300, 0, 2)).toBe(900);
    // A flood waiting at a kitchen with auto-pause off: capped at what an acceptance may carry.
    expect(prepEstimateSeconds(600, 2, 10_000)).toBe(MAX_PREP_ESTIMATE_SECONDS);
    // Counting the backlog beyond where the cap or the threshold is reached changes nothing.
    const m = { kitchenCapacity: 2, basePrepSeconds: 600, autoPauseBacklog: 6 };
    const upTo = backlogThatMatters(m);
    expect(upTo).toBe(48); // 24 rounds of 2
    expect(prepEstimateSeconds(600, 2, upTo)).toBe(MAX_PREP_ESTIMATE_SECONDS);
    expect(prepEstimateSeconds(600, 2, upTo - 3)).toBeLessThan(MAX_PREP_ESTIMATE_SECONDS);
    expect(backlogThatMatters({ ...m, autoPauseBacklog: 500 })).toBe(500);
  });

  it('never decreases as the backlog grows, and never drops below the base (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 3600 }),
        fc.integer({ min: 1, max: 50 }),
        fc.integer({ min: 0, max: 500 }),
        (base, capacity, backlog) => {
          const now = prepEstimateSeconds(base, capacity, backlog);
          expect(now).toBeGreaterThanOrEqual(base);
          expect(now).toBeLessThanOrEqual(MAX_PREP_ESTIMATE_SECONDS);
          expect(prepEstimateSeconds(base, capacity, backlog + 1)).toBeGreaterThanOrEqual(now);
          // One more full load ahead of a new order adds exactly one base time, up to the cap.
          expect(prepEstimateSeconds(base, capacity, backlog + capacity)).toBe(
            Math.min(now + base, MAX_PREP_ESTIMATE_SECONDS),
          );
        },
      ),
    );
  });
});

describe('auto-pause with hysteresis', () => {
  it('pauses at the threshold and resumes only at 75% of it', () => {
    const threshold = 12; // resume at 9
    expect(resumeBacklog(threshold)).toBe(9);
    expect(nextAutoPaused(false, 11, threshold)).toBe(false);
    expect(nextAutoPaused(false, 12, threshold)).toBe(true);
    expect(nextAutoPaused(true, 11, threshold)).toBe(true);
    expect(nextAutoPaused(true, 10, threshold)).toBe(true);
    expect(nextAutoPaused(true, 9, threshold)).toBe(false);
    expect(nextAutoPaused(false, 10, threshold)).toBe(false);
  });

  it('is off with a threshold of 0, and resumes at 0 with a threshold of 1', () => {
    expect(nextAutoPaused(false, 1000, 0)).toBe(false);
    expect(nextAutoPaused(true, 1000, 0)).toBe(false);
    expect(nextAutoPaused(false, 1, 1)).toBe(true);
    expect(nextAutoPaused(true, 1, 1)).toBe(true);
    expect(nextAutoPaused(true, 0, 1)).toBe(false);
  });

  it('never flaps: between a pause and the next resume the backlog falls by at least a quarter (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 200 }),
        fc.array(fc.constantFrom(-1, 1), { maxLength: 400 }),
        (threshold, steps) => {
          let backlog = 0;
          let paused = false;
          let pausedAt: number | undefined;
          for (const step of steps) {
            backlog = Math.max(0, backlog + step);
            const next = nextAutoPaused(paused, backlog, threshold);
            if (!paused && next) pausedAt = backlog;
            if (paused && !next) {
              expect(backlog).toBeLessThanOrEqual(Math.floor(threshold * 0.75));
              expect(pausedAt! - backlog).toBeGreaterThanOrEqual(threshold - Math.floor(threshold * 0.75));
            }
            paused = next;
            // Whatever the history: always paused at or above the threshold, never at or below 75%.
            if (backlog >= threshold) expect(paused).toBe(true);
            if (backlog <= resumeBacklog(threshold)) expect(paused).toBe(false);
          }
        },
      ),
    );
  });
});

describe('kitchen view', () => {
  const snapshot = (state: OrderState, version: number) => ({
    orderId: 'o1',
    merchantId: 'm1',
    state,
    version,
  });
  const row = (state: KitchenOrder['state'], version: number): KitchenOrder => ({
    orderId: 'o1',
    merchantId: 'm1',
    state,
    version,
  });

  it('maps order states to kitchen states', () => {
    expect(kitchenStateOf('PLACED')).toBe('placed');
    expect(kitchenStateOf('ACCEPTED')).toBe('accepted');
    for (const s of ['READY_FOR_PICKUP', 'RIDER_ASSIGNED', 'PICKED_UP', 'DELIVERED'] as const)
      expect(kitchenStateOf(s)).toBe('ready');
    expect(kitchenStateOf('REJECTED')).toBe('dropped');
    expect(kitchenStateOf('CANCELLED')).toBe('dropped');
  });

  it('moves placed -> accepted -> ready', () => {
    const placed = nextKitchenOrder(undefined, snapshot('PLACED', 1));
    expect(placed).toEqual(row('placed', 1));
    const accepted = nextKitchenOrder(placed, snapshot('ACCEPTED', 2));
    expect(accepted).toEqual(row('accepted', 2));
    expect(nextKitchenOrder(accepted, snapshot('READY_FOR_PICKUP', 3))).toEqual(row('ready', 3));
  });

  it('ignores a snapshot not newer than the row: duplicates and late arrivals change nothing', () => {
    expect(nextKitchenOrder(row('accepted', 2), snapshot('ACCEPTED', 2))).toBeUndefined();
    expect(nextKitchenOrder(row('ready', 3), snapshot('ACCEPTED', 2))).toBeUndefined();
    expect(nextKitchenOrder(row('dropped', 3), snapshot('ACCEPTED', 2))).toBeUndefined();
  });

  it('starts from a later state when the earlier events have not arrived yet', () => {
    expect(nextKitchenOrder(undefined, snapshot('READY_FOR_PICKUP', 3))).toEqual(row('ready', 3));
    expect(nextKitchenOrder(row('accepted', 2), snapshot('CANCELLED', 3))).toEqual(row('dropped', 3));
  });

  it('ends in the state of the newest snapshot whatever the arrival order (property)', () => {
    const lifecycle: OrderState[] = ['PLACED', 'ACCEPTED', 'READY_FOR_PICKUP', 'RIDER_ASSIGNED'];
    fc.assert(
      fc.property(
        fc.shuffledSubarray(
          lifecycle.map((s, i) => snapshot(s, i + 1)),
          { minLength: 1 },
        ),
        fc.array(fc.nat(), { maxLength: 3 }),
        (arrivals, duplicates) => {
          const withDuplicates = [...arrivals, ...duplicates.map((d) => arrivals[d % arrivals.length]!)];
          let current: KitchenOrder | undefined;
          for (const s of withDuplicates) current = nextKitchenOrder(current, s) ?? current;
          const newest = arrivals.reduce((a, b) => (b.version > a.version ? b : a));
          expect(current?.state).toBe(kitchenStateOf(newest.state));
        },
      ),
    );
  });
});
