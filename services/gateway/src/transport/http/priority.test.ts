import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Role } from '../../app/principal.ts';
import { inFlightLimit, pressureRefusal, priorityOf, type Priority } from './priority.ts';

const LIMITS = { maxEventLoopDelayMs: 500, maxEventLoopUtilization: 0.98, maxHeapUsedBytes: 1_000 };
const sample = (eventLoopDelayMs: number, eventLoopUtilization: number, heapUsedBytes: number) => ({
  eventLoopDelayMs,
  eventLoopUtilization,
  heapUsedBytes,
});
const ORDER: readonly Priority[] = ['critical', 'normal', 'sheddable'];

describe('priorityOf', () => {
  const merchantRoute = { auth: ['merchant'] as readonly Role[], priority: 'critical' as const };

  it('is the route’s priority for a verified caller of the route, normal when the route says none', () => {
    expect(priorityOf(merchantRoute, 'merchant')).toBe('critical');
    expect(priorityOf({ auth: ['customer'] }, 'customer')).toBe('normal');
    expect(priorityOf({ auth: ['customer'], priority: 'sheddable' }, 'customer')).toBe('sheddable');
  });

  it('is sheddable without a verified token, for a role the route refuses, and off /v1', () => {
    expect(priorityOf(merchantRoute, undefined)).toBe('sheddable');
    expect(priorityOf(merchantRoute, 'customer')).toBe('sheddable');
    // Unknown paths and the API docs have no auth in their config.
    expect(priorityOf({}, 'ops')).toBe('sheddable');
    expect(priorityOf({ auth: 'public' }, undefined)).toBe('sheddable');
    expect(priorityOf({ auth: 'public', priority: 'normal' }, undefined)).toBe('normal');
  });
});

describe('inFlightLimit', () => {
  it('leaves the sheddable 60% and the normal 85% of the slots, the critical all', () => {
    expect(ORDER.map((p) => inFlightLimit(p, 2_000))).toEqual([2_000, 1_700, 1_200]);
  });

  it('admits at least one of each, however small the cap', () => {
    expect(ORDER.map((p) => inFlightLimit(p, 1))).toEqual([1, 1, 1]);
  });
});

describe('pressureRefusal', () => {
  it('refuses the sheddable from half the delay limit, the normal from it, the critical from twice it', () => {
    const at = (delay: number) => ORDER.map((p) => pressureRefusal(p, sample(delay, 0, 0), LIMITS));
    expect(at(200)).toEqual([undefined, undefined, undefined]);
    expect(at(300)).toEqual([undefined, undefined, 'event_loop_delay']);
    expect(at(600)).toEqual([undefined, 'event_loop_delay', 'event_loop_delay']);
    expect(at(1_100)).toEqual(['event_loop_delay', 'event_loop_delay', 'event_loop_delay']);
  });

  it('refuses only the sheddable for a busy loop alone (utilisation says busy, not slow)', () => {
    const busy = sample(10, 0.99, 0);
    expect(ORDER.map((p) => pressureRefusal(p, busy, LIMITS))).toEqual([
      undefined,
      undefined,
      'event_loop_utilization',
    ]);
  });

  it('refuses the sheddable from 90% of the heap limit, everyone above it', () => {
    expect(ORDER.map((p) => pressureRefusal(p, sample(0, 0, 950), LIMITS))).toEqual([
      undefined,
      undefined,
      'heap',
    ]);
    expect(ORDER.map((p) => pressureRefusal(p, sample(0, 0, 1_001), LIMITS))).toEqual([
      'heap',
      'heap',
      'heap',
    ]);
  });

  it('a fully blocked interval (no delay sample: Infinity) refuses everyone', () => {
    for (const p of ORDER)
      expect(pressureRefusal(p, sample(Infinity, 1, 0), LIMITS)).toBe('event_loop_delay');
  });

  it('a limit of 0 turns its check off for every priority', () => {
    const off = { ...LIMITS, maxEventLoopDelayMs: 0, maxEventLoopUtilization: 0 };
    for (const p of ORDER) expect(pressureRefusal(p, sample(10_000, 1, 0), off)).toBeUndefined();
  });

  it('never refuses a higher priority where it admits a lower one', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 5_000, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.integer({ min: 0, max: 2_000 }),
        fc.integer({ min: 1, max: 5_000 }),
        (delay, utilization, heap, maxInFlight) => {
          const refused = ORDER.map(
            (p) => pressureRefusal(p, sample(delay, utilization, heap), LIMITS) !== undefined,
          );
          // critical refused => normal refused => sheddable refused
          expect(!refused[0] || refused[1]).toBe(true);
          expect(!refused[1] || refused[2]).toBe(true);
          const slots = ORDER.map((p) => inFlightLimit(p, maxInFlight));
          expect(slots[0]).toBeGreaterThanOrEqual(slots[1]!);
          expect(slots[1]).toBeGreaterThanOrEqual(slots[2]!);
        },
      ),
    );
  });
});
