import { createLogger } from '@mealpeak/telemetry';
import { createRoundRunner } from '../src/app/rounds.ts';
import { dispatchModel, type DispatchSettings } from '../src/app/settings.ts';
import { createDispatchUseCases } from '../src/app/use-cases.ts';
import { METRES_PER_DEGREE, type LatLng } from '../src/domain/geo/projection.ts';
import { createZoneGrid } from '../src/domain/geo/zone-grid.ts';
import { ManualClock, MemoryDispatchStore, MemoryPositions, sequentialIds } from './fakes.ts';

export const logger = createLogger({ service: 'dispatch-test', level: 'silent' });

/** The centre of a zone in Shanghai (the tests' points stay inside it), and points m metres north / east. */
const grid = createZoneGrid(3_000);
export const centre: LatLng = grid.centreOf(grid.zoneOf({ lat: 31.23, lng: 121.47 }))!;
export const at = (northM: number, eastM = 0): LatLng => ({
  lat: centre.lat + northM / METRES_PER_DEGREE,
  lng: centre.lng + eastM / (METRES_PER_DEGREE * Math.cos((centre.lat * Math.PI) / 180)),
});

export const testSettings = (overrides: Partial<DispatchSettings> = {}): DispatchSettings => ({
  replicaId: 'test',
  zoneSizeM: 3_000,
  zoneRiderRadiusM: 5_000,
  maxOrdersPerRound: 1_000,
  maxRidersPerRound: 2_000,
  roundIntervalMs: 5_000,
  strategy: 'optimized',
  riderSpeedMps: 5,
  offerTimeoutMs: 30_000,
  commitSlackMs: 15_000,
  declineCooldownMs: 600_000,
  defaultShiftMs: 8 * 3_600_000,
  positionTtlMs: 60_000,
  silentReassignMs: 180_000,
  shiftEndReassignMs: 300_000,
  handover: { mode: 'flag', maxDistanceM: 300 },
  ...overrides,
});

/** The use cases over in-memory fakes, plus helpers that feed orders and riders as the transports would. */
export function createWorld(overrides: Partial<DispatchSettings> = {}) {
  const clock = new ManualClock();
  const store = new MemoryDispatchStore(() => clock.now());
  const positions = new MemoryPositions(clock);
  const settings = testSettings(overrides);
  const model = dispatchModel(settings);
  const ids = sequentialIds();
  const useCases = createDispatchUseCases({ store, positions, clock, settings, model, logger });
  const runner = (replicaId = 'test') =>
    createRoundRunner({ store, positions, clock, ids, settings: { ...settings, replicaId }, model, logger });
  let version = 0;

  return {
    clock,
    store,
    positions,
    settings,
    model,
    useCases,
    runRound: runner(),
    runner,
    zone: model.grid.zoneOf(centre),
    /** An ACCEPTED snapshot as the order service publishes it; food ready in readyInS seconds. */
    async addOrder(
      orderId: string,
      o: {
        readyInS?: number;
        pickup?: LatLng;
        dropoff?: LatLng;
        dropoffAddress?: string;
        merchantName?: string;
        pickupAddress?: string;
        merchantId?: string;
      } = {},
    ) {
      const now = clock.now().getTime();
      return useCases.applyOrderStateChanged(`ev-${orderId}-${++version}`, {
        orderId,
        toState: 'ACCEPTED',
        version: 2,
        merchantId: o.merchantId ?? `m-${orderId}`,
        customerId: 'c-1',
        pickup: o.pickup ?? centre,
        dropoff: o.dropoff ?? at(1_500, 500),
        dropoffAddress: o.dropoffAddress ?? `Drop-off of ${orderId}`,
        merchantName: o.merchantName ?? `Kitchen of ${orderId}`,
        pickupAddress: o.pickupAddress ?? `Pickup of ${orderId}`,
        placedAt: new Date(now - 60_000),
        expectedReadyAt: new Date(now + (o.readyInS ?? 0) * 1000),
        promisedAt: new Date(now + 40 * 60_000),
      });
    },
    async addRider(riderId: string, where: LatLng = at(300)) {
      const result = await useCases.setRiderOnline({
        riderId,
        online: true,
        position: where,
        shiftEndsAt: undefined,
      });
      if (!result.ok) throw new Error(result.error.message);
    },
    offerOf: (riderId: string) =>
      [...store.offers.values()].find((o) => o.riderId === riderId && o.status === 'pending'),
  };
}
