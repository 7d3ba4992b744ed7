import { describe, expect, it } from 'vitest';
import type { Rider } from './model.ts';
import { riderShiftView } from './shift.ts';

const now = new Date('2026-11-20T12:00:00Z');
const rider = (extra: Partial<Rider> = {}): Rider => ({
  riderId: 'r-1',
  online: true,
  status: 'idle',
  offlineRequested: false,
  shiftEndsAt: new Date(now.getTime() + 3_600_000),
  busyUntil: undefined,
  freePosition: undefined,
  silentSince: undefined,
  ...extra,
});

describe('riderShiftView', () => {
  it('is offerable online, in shift, with a fresh position (or while the index is unreadable)', () => {
    expect(riderShiftView(rider(), true, now)).toMatchObject({ offerable: true, reason: undefined });
    expect(riderShiftView(rider({ status: 'delivering' }), true, now).offerable).toBe(true);
    expect(riderShiftView(rider(), undefined, now).offerable).toBe(true);
  });

  it('says why not, first the rider’s own choice, then the shift, then the position', () => {
    expect(riderShiftView(undefined, false, now)).toEqual({
      online: false,
      status: 'idle',
      leaving: false,
      shiftEndsAt: undefined,
      offerable: false,
      reason: 'offline',
    });
    expect(riderShiftView(rider({ online: false, offlineRequested: true }), true, now)).toMatchObject({
      leaving: false,
      reason: 'offline',
    });
    expect(riderShiftView(rider({ status: 'delivering', offlineRequested: true }), false, now)).toMatchObject(
      { online: true, leaving: true, reason: 'leaving' },
    );
    expect(riderShiftView(rider({ shiftEndsAt: now }), false, now).reason).toBe('shift_ended');
    expect(riderShiftView(rider(), false, now).reason).toBe('no_position');
  });
});
