import { describe, expect, it } from 'vitest';
import { admitHandover, checkHandover, HANDOVER_SLACK_MPS, type HandoverPolicy } from './handover.ts';

const door = { lat: 52.52, lng: 13.405 };
/** A point `m` metres north of the door. */
const north = (m: number) => ({ lat: door.lat + m / 111_195, lng: door.lng });
const now = new Date('2026-11-22T12:00:00Z');
const fixAt = (m: number, ageS = 0) => ({ ...north(m), recordedAt: now.getTime() - ageS * 1000 });
const flag: HandoverPolicy = { mode: 'flag', maxDistanceM: 300 };
const enforce: HandoverPolicy = { mode: 'enforce', maxDistanceM: 300 };

describe('checkHandover', () => {
  it('is near within the distance and far beyond it, with the distance in whole metres', () => {
    expect(checkHandover(door, fixAt(120), now, flag)).toEqual({
      verdict: 'near',
      distanceM: 120,
      fixAgeS: 0,
    });
    expect(checkHandover(door, fixAt(299), now, flag).verdict).toBe('near');
    expect(checkHandover(door, fixAt(301), now, flag)).toEqual({
      verdict: 'far',
      distanceM: 301,
      fixAgeS: 0,
    });
  });

  it('allows for the age of the fix: a rider may have ridden that far since', () => {
    // 30 s old: 300 m + 30 × 8.3 m = 549 m.
    expect(checkHandover(door, fixAt(540, 30), now, flag)).toMatchObject({ verdict: 'near', fixAgeS: 30 });
    expect(checkHandover(door, fixAt(560, 30), now, flag).verdict).toBe('far');
    expect(HANDOVER_SLACK_MPS * 3.6).toBeCloseTo(30, 0); // km/h
    // A fix dated ahead of the server clock gives no allowance (never a negative one either).
    const ahead = { ...north(301), recordedAt: now.getTime() + 5_000 };
    expect(checkHandover(door, ahead, now, flag)).toMatchObject({ verdict: 'far', fixAgeS: 0 });
  });

  it('is unverified without a fix', () => {
    expect(checkHandover(door, undefined, now, flag)).toEqual({ verdict: 'unverified' });
  });
});

describe('admitHandover', () => {
  const far = checkHandover(door, fixAt(900), now, enforce);

  it('refuses only a far handover, only when enforcing, with the distance in the message', () => {
    expect(admitHandover('delivery', 'o-1', far, enforce)).toMatchObject({
      ok: false,
      error: { kind: 'conflict', code: 'NOT_AT_DROPOFF', message: expect.stringContaining('900 m') },
    });
    expect(admitHandover('pickup', 'o-1', far, enforce)).toMatchObject({
      ok: false,
      error: { code: 'NOT_AT_PICKUP' },
    });
    expect(admitHandover('delivery', 'o-1', far, flag)).toEqual({ ok: true, value: far });
    const near = checkHandover(door, fixAt(10), now, enforce);
    expect(admitHandover('delivery', 'o-1', near, enforce)).toEqual({ ok: true, value: near });
  });

  it('never refuses an unverified handover: no fix is not proof of absence', () => {
    const unverified = checkHandover(door, undefined, now, enforce);
    expect(admitHandover('delivery', 'o-1', unverified, enforce)).toEqual({ ok: true, value: unverified });
  });
});
