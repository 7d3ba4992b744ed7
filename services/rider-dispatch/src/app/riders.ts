import { err, ok, type CodedError, type FieldError, type Result } from '@mealpeak/core';
import { checkPing, type PositionPing } from '@mealpeak/rider-positions';
import type { Logger } from '@mealpeak/telemetry';
import { DispatchErrors } from '../domain/errors.ts';
import type { LatLng } from '../domain/geo/projection.ts';
import { riderShiftView, type RiderShiftView } from '../domain/delivery/shift.ts';
import type { Clock, DispatchStore, Positions } from './ports.ts';
import type { DispatchSettings } from './settings.ts';
import { requireIds } from './validation.ts';

export interface SetOnlineInput {
  readonly riderId: string;
  readonly online: boolean;
  readonly position: LatLng | undefined;
  readonly shiftEndsAt: Date | undefined;
  /**
   * Cancels a pending "offline after deliveries" (the rider chose to stay). Without it, going
   * online keeps the request: an app that restarted and re-sends its last state cannot cancel it.
   */
  readonly stayOnline?: boolean;
}

export interface RiderDeps {
  readonly store: DispatchStore;
  readonly positions: Pick<Positions, 'write' | 'remove' | 'get'>;
  readonly clock: Clock;
  readonly settings: DispatchSettings;
  readonly logger: Logger;
}

// Only the shape of a ping is checked up front; age and order are the writer's business.
const SHAPE_ONLY = { maxAgeMs: Number.POSITIVE_INFINITY, maxFutureMs: 30_000 };

/** Field errors of a ping, named as in the request (`pings[3].lat`). */
function pingFields(ping: PositionPing, now: number, prefix: string): FieldError[] {
  const outcome = checkPing(ping, now, SHAPE_ONLY);
  if (outcome?.status !== 'invalid') return [];
  return (outcome.error.fields ?? []).map((f) => ({ field: `${prefix}${f.field}`, message: f.message }));
}

/**
 * The longest shift a rider may announce. Dispatch plans runs up to the shift's end; a shift that
 * never ends (year 9999 was accepted) would keep a rider who went home in every plan.
 */
export const MAX_SHIFT_MS = 16 * 3_600_000;

export function createRiderUseCases(deps: RiderDeps) {
  const { store, positions, clock, settings } = deps;

  /** `hasPosition` when the caller just wrote or removed it: no read of Redis for what it knows. */
  async function shiftView(riderId: string, hasPosition?: boolean): Promise<RiderShiftView> {
    const [rider, position] = await Promise.all([
      store.getRider(riderId),
      hasPosition ??
        positions.get(riderId).then(
          (p) => p !== undefined,
          (error: unknown) => {
            deps.logger.warn({ err: error, riderId }, 'rider position unavailable for the shift view');
            return undefined;
          },
        ),
    ]);
    return riderShiftView(rider, position, clock.now());
  }

  return {
    /** The rider's shift as the app shows it; a rider never online is offline (not an error). */
    async getRider(riderId: string): Promise<Result<RiderShiftView, CodedError>> {
      const valid = requireIds({ riderId });
      if (!valid.ok) return valid;
      return ok(await shiftView(riderId));
    },

    /**
     * Online: upsert the rider (shift end defaults to now + DEFAULT_SHIFT) and store the initial
     * position. Offline: see decideOffline (an active run finishes first); the position is removed
     * once the rider is really offline.
     */
    async setRiderOnline(input: SetOnlineInput): Promise<Result<RiderShiftView, CodedError>> {
      const valid = requireIds({ riderId: input.riderId });
      if (!valid.ok) return valid;
      const now = clock.now();
      if (!input.online) {
        const result = await store.setOffline(
          input.riderId,
          now,
          new Date(now.getTime() + settings.declineCooldownMs),
        );
        if (!result.ok) return result;
        if (result.value.online) return ok(await shiftView(input.riderId));
        await positions.remove(input.riderId);
        return ok(await shiftView(input.riderId, false));
      }
      const fields: FieldError[] = [];
      const ping = input.position && { riderId: input.riderId, ...input.position, recordedAt: now.getTime() };
      if (ping) fields.push(...pingFields(ping, now.getTime(), 'position.'));
      if (input.shiftEndsAt && input.shiftEndsAt.getTime() <= now.getTime())
        fields.push({ field: 'shiftEndsAt', message: 'must be in the future' });
      else if (input.shiftEndsAt && input.shiftEndsAt.getTime() > now.getTime() + MAX_SHIFT_MS)
        fields.push({
          field: 'shiftEndsAt',
          message: `must be within ${MAX_SHIFT_MS / 3_600_000} hours from now`,
        });
      if (fields.length > 0) return err(DispatchErrors.invalid(fields));
      const shiftEndsAt = input.shiftEndsAt ?? new Date(now.getTime() + settings.defaultShiftMs);
      await store.setOnline(input.riderId, shiftEndsAt, now, input.stayOnline ?? false);
      if (ping) {
        const written = await positions.write(ping);
        if (written.status === 'accepted') return ok(await shiftView(input.riderId, true));
        // Online without a position is still online: the next ping makes the rider dispatchable.
        deps.logger.warn({ riderId: input.riderId, outcome: written.status }, 'initial position not stored');
      }
      return ok(await shiftView(input.riderId));
    },

    /**
     * The gRPC way to report positions (the gateway writes through libs/rider-positions directly).
     * A malformed ping rejects the whole request; stale and out-of-order ones are counted as dropped.
     */
    async reportPositions(
      pings: readonly PositionPing[],
    ): Promise<Result<{ accepted: number; dropped: number }, CodedError>> {
      const now = clock.now().getTime();
      const fields = pings.flatMap((p, i) => pingFields(p, now, `pings[${i}].`));
      if (fields.length > 0) return err(DispatchErrors.invalid(fields));
      const outcomes = await Promise.all(pings.map((p) => positions.write(p)));
      const down = outcomes.find((o) => o.status === 'unavailable');
      if (down?.status === 'unavailable') return err(down.error);
      const accepted = outcomes.filter((o) => o.status === 'accepted').length;
      return ok({ accepted, dropped: outcomes.length - accepted });
    },
  };
}
