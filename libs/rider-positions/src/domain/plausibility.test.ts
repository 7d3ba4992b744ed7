import { greatCircleMetres } from '@mealpeak/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_PLAUSIBILITY as rule,
  judgeFix,
  land,
  type Fix,
  type PositionCheck,
  type Track,
} from './plausibility.ts';

// Shanghai, and points some metres north / east of it (1 deg lat ~ 111,195 m on the platform's sphere).
const origin = { lat: 31.23, lng: 121.47 };
const M_PER_DEG = greatCircleMetres({ lat: 0, lng: 0 }, { lat: 1, lng: 0 });
const at = (northM: number, recordedAt: number, eastM = 0): Fix => ({
  lat: origin.lat + northM / M_PER_DEG,
  lng: origin.lng + eastM / (M_PER_DEG * Math.cos((origin.lat * Math.PI) / 180)),
  recordedAt,
});
const T0 = 1_800_000_000_000;
const empty: Track = { last: undefined, suspect: undefined };

/** Lands the fixes one by one; returns every landing and the final track. */
function replay(fixes: readonly Fix[], mode: PositionCheck, start: Track = empty) {
  let track = start;
  const landings = fixes.map((fix) => {
    const step = land(track, fix, mode);
    track = step.track;
    return step.landing;
  });
  return { landings, track };
}

describe('judgeFix', () => {
  it('takes any first fix: nothing to compare with', () => {
    expect(judgeFix(undefined, undefined, at(5_000_000, T0))).toEqual({ verdict: 'plausible' });
  });

  it('takes a move within the slack at once, and a move at up to 40 m/s', () => {
    const last = at(0, T0);
    expect(judgeFix(last, undefined, at(240, T0)).verdict).toBe('plausible');
    expect(judgeFix(last, undefined, at(250 + 40 * 5 - 1, T0 + 5_000)).verdict).toBe('plausible');
    expect(judgeFix(last, undefined, at(250 + 40 * 5 + 5, T0 + 5_000)).verdict).toBe('jump');
  });

  it('refuses a teleport next to a restaurant 3 km away five seconds later', () => {
    const judged = judgeFix(at(0, T0), undefined, at(3_000, T0 + 5_000, 100));
    expect(judged.verdict).toBe('jump');
    if (judged.verdict === 'jump') {
      expect(judged.jumpM).toBeGreaterThan(2_990);
      expect(judged.suspect).toMatchObject({ since: T0 + 5_000, count: 1 });
    }
  });

  it('takes the same far fix after a long enough gap (tunnel, phone off): 3 km needs 69 s', () => {
    expect(judgeFix(at(0, T0), undefined, at(3_000, T0 + 68_000)).verdict).toBe('jump');
    expect(judgeFix(at(0, T0), undefined, at(3_000, T0 + 69_000)).verdict).toBe('plausible');
  });

  it('does not let a fix dated before the stored one (clamped clocks) earn time', () => {
    expect(judgeFix(at(0, T0), undefined, at(300, T0 - 60_000)).verdict).toBe('jump');
  });

  it('confirms the new place after three agreeing fixes spanning 10 s, not before', () => {
    const last = at(0, T0);
    const first = judgeFix(last, undefined, at(5_000, T0 + 5_000));
    if (first.verdict !== 'jump') throw new Error('expected a jump');
    const second = judgeFix(last, first.suspect, at(5_050, T0 + 10_000));
    if (second.verdict !== 'jump') throw new Error('expected a jump');
    expect(second.suspect).toMatchObject({ since: T0 + 5_000, count: 2 });
    expect(judgeFix(last, second.suspect, at(5_100, T0 + 15_000)).verdict).toBe('confirmed');
    // Three fixes in one buffered batch, a second apart: not yet 10 s of agreement.
    const quick = judgeFix(
      last,
      { ...at(5_050, T0 + 6_000), since: T0 + 5_000, count: 2 },
      at(5_100, T0 + 7_000),
    );
    expect(quick).toMatchObject({ verdict: 'jump', suspect: { count: 3 } });
  });

  it('starts a new run when a jumped fix disagrees with the previous one', () => {
    const last = at(0, T0);
    const suspect = { ...at(5_000, T0 + 5_000), since: T0, count: 2 };
    expect(judgeFix(last, suspect, at(-5_000, T0 + 10_000))).toMatchObject({
      verdict: 'jump',
      suspect: { since: T0 + 10_000, count: 1 },
    });
  });
});

describe('land (per mode)', () => {
  const teleport = [at(0, T0), at(4_000, T0 + 5_000), at(20, T0 + 10_000)];

  it('enforce: a teleport does not move the rider, and the next honest fix does', () => {
    const { landings, track } = replay(teleport, 'enforce');
    expect(landings).toEqual(['accepted', 'dropped', 'accepted']);
    expect(track).toEqual({ last: teleport[2], suspect: undefined });
    expect(replay(teleport.slice(0, 2), 'enforce').track.last).toEqual(teleport[0]);
  });

  it('flag: the teleport is flagged but used', () => {
    const { landings, track } = replay(teleport.slice(0, 2), 'flag');
    expect(landings).toEqual(['accepted', 'flagged']);
    expect(track.last).toEqual(teleport[1]);
  });

  it('off: nothing is judged', () => {
    expect(replay(teleport, 'off').landings).toEqual(['accepted', 'accepted', 'accepted']);
  });

  it('enforce: a rider stuck at a wrong fix is relocated by the agreeing fixes that follow', () => {
    const fixes = [at(0, T0), ...[1, 2, 3, 4].map((i) => at(8_000 + i * 30, T0 + i * 5_000))];
    const { landings, track } = replay(fixes, 'enforce');
    expect(landings).toEqual(['accepted', 'dropped', 'dropped', 'relocated', 'accepted']);
    expect(track.last).toEqual(fixes[4]);
  });
});

// Properties over random tracks: a fix every 1-30 s, headings and speeds at random.
const step = fc.record({
  dtMs: fc.integer({ min: 1_000, max: 30_000 }),
  headingRad: fc.double({ min: 0, max: 2 * Math.PI, noNaN: true }),
  fraction: fc.double({ min: 0, max: 0.95, noNaN: true }),
});
const modes = fc.constantFrom<PositionCheck>('flag', 'enforce');

function walk(steps: readonly { dtMs: number; headingRad: number; fraction: number }[], speedMps: number) {
  let north = 0;
  let east = 0;
  let t = T0;
  return [
    at(0, T0),
    ...steps.map((s) => {
      t += s.dtMs;
      const d = (speedMps * s.fraction * s.dtMs) / 1_000;
      north += d * Math.cos(s.headingRad);
      east += d * Math.sin(s.headingRad);
      return at(north, t, east);
    }),
  ];
}

describe('plausibility properties', () => {
  it('a rider moving no faster than the limit is never judged, in any mode', () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 40 }), modes, (steps, mode) => {
        expect(replay(walk(steps, rule.maxSpeedMps), mode).landings.every((l) => l === 'accepted')).toBe(
          true,
        );
      }),
    );
  });

  it('enforce: a single teleport never moves the rider, whatever the honest track around it', () => {
    fc.assert(
      fc.property(
        fc.array(step, { minLength: 1, maxLength: 20 }),
        fc.integer({ min: 0, max: 19 }),
        fc.integer({ min: 2_000, max: 50_000 }),
        (steps, index, jumpM) => {
          const track = walk(steps, 20);
          const i = 1 + (index % steps.length);
          const before = replay(track.slice(0, i), 'enforce').track;
          const prev = track[i - 1]!;
          // Sent a second after the previous fix, jumpM north of it: far beyond what 40 m/s allows.
          const spoof = {
            lat: prev.lat + jumpM / M_PER_DEG,
            lng: prev.lng,
            recordedAt: prev.recordedAt + 1_000,
          };
          const landed = land(before, spoof, 'enforce');
          expect(landed.landing).toBe('dropped');
          expect(landed.track.last).toEqual(before.last);
        },
      ),
    );
  });

  it('enforce: an honest rider at a new place is never stuck for ever', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1_000, max: 1_000_000 }),
        fc.array(step, { minLength: 30, maxLength: 30 }),
        (jumpM, steps) => {
          // The stored fix is wrong by jumpM; the real track then pings every 1-30 s from there.
          const real = walk(steps, 15).map((f) => ({
            ...f,
            lat: f.lat + jumpM / M_PER_DEG,
            recordedAt: f.recordedAt + 1_000,
          }));
          const { landings } = replay([at(0, T0), ...real], 'enforce');
          const firstMove = landings.findIndex((l, i) => i > 0 && l !== 'dropped');
          // At the latest: the first real fix that is both the third and 10 s after the first.
          const due = real.findIndex(
            (f, i) => i >= rule.confirmFixes - 1 && f.recordedAt - real[0]!.recordedAt >= rule.confirmSpanMs,
          );
          expect(firstMove).toBeGreaterThan(0);
          expect(firstMove - 1).toBeLessThanOrEqual(due);
          expect(landings.slice(firstMove).every((l) => l !== 'dropped')).toBe(true);
        },
      ),
    );
  });

  it('a fix plausible after some time stays plausible after more time (the allowance only grows)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 100_000 }),
        fc.integer({ min: 0, max: 600_000 }),
        fc.integer({ min: 0, max: 600_000 }),
        (distM, dt, extra) => {
          const last = at(0, T0);
          if (judgeFix(last, undefined, at(distM, T0 + dt)).verdict === 'plausible')
            expect(judgeFix(last, undefined, at(distM, T0 + dt + extra)).verdict).toBe('plausible');
        },
      ),
    );
  });
});
