import type { Rider, RiderStatus } from './model.ts';

/**
 * What a rider app is told about its own shift (GetRider, and the answer of SetRiderOnline): its
 * status, whether it is leaving, when the shift ends, and whether rounds can offer it orders now,
 * with the reason when not (docs/dispatch-service.md#going-online-and-offline).
 */

/** Why rounds do not plan with the rider right now (the same rules as `dispatchableRiders`). */
export type NotOfferableReason = 'offline' | 'leaving' | 'shift_ended' | 'no_position';

export interface RiderShiftView {
  readonly online: boolean;
  /** While online; an offline rider is `idle` here and `OFFLINE` on the wire. */
  readonly status: RiderStatus;
  /** Offline requested while delivering: no new offers, offline after the last drop-off. */
  readonly leaving: boolean;
  /** Undefined only for a rider dispatch has never seen online. */
  readonly shiftEndsAt: Date | undefined;
  readonly offerable: boolean;
  readonly reason: NotOfferableReason | undefined;
}

/**
 * `hasPosition`: whether the position index holds a fresh fix of the rider; undefined when the
 * index could not be read (the position then decides nothing: an outage is not the rider's fault).
 */
export function riderShiftView(
  rider: Rider | undefined,
  hasPosition: boolean | undefined,
  now: Date,
): RiderShiftView {
  const online = rider?.online ?? false;
  const leaving = online && (rider?.offlineRequested ?? false);
  const reason: NotOfferableReason | undefined =
    !rider || !online
      ? 'offline'
      : leaving
        ? 'leaving'
        : rider.shiftEndsAt.getTime() <= now.getTime()
          ? 'shift_ended'
          : hasPosition === false
            ? 'no_position'
            : undefined;
  return {
    online,
    status: online && rider ? rider.status : 'idle',
    leaving,
    shiftEndsAt: rider?.shiftEndsAt,
    offerable: reason === undefined,
    reason,
  };
}
