/**
 * The dispatch gRPC client the seeding scripts share (the riders CLI, the local platform, the
 * replica mode), and the calls they make: put a demo rider online at its position, and move the
 * fleet a little and report where it is.
 */
import { DispatchServiceClient, DispatchServiceService } from '@mealpeak/contracts/dispatch.v1';
import { call, createGrpcClient } from '@mealpeak/grpc';
import { drift, type DemoRider, type GoOnline } from '../src/app/seed-riders.ts';

/** `internalToken`: the services' GRPC_INTERNAL_TOKEN, when they check one. */
export function dispatchSeedClient(target: string, internalToken?: string): DispatchServiceClient {
  return createGrpcClient(DispatchServiceClient, DispatchServiceService, {
    target,
    defaultDeadlineMs: 5_000,
    internalToken,
    idempotent: ['setRiderOnline'],
  });
}

/** setRiderOnline for one demo rider: its id, position and end of shift. */
export function goOnlineVia(client: DispatchServiceClient): GoOnline {
  return (r) =>
    call(client.setRiderOnline.bind(client), {
      riderId: r.riderId,
      online: true,
      position: r.position,
      shiftEndsAt: r.shiftEndsAt,
      stayOnline: false,
    });
}

/**
 * Moves every rider up to 20 m and reports the positions with ReportPositions in chunks of 500,
 * as a device gateway would batch them. Resolves with the moved riders; failed chunks go to onError.
 */
export async function driftAndReport(
  client: DispatchServiceClient,
  riders: readonly DemoRider[],
  onError: (message: string) => void,
): Promise<DemoRider[]> {
  const moved = riders.map((r) => ({ ...r, position: drift(r.position, 20, Math.random) }));
  for (let i = 0; i < moved.length; i += 500) {
    const res = await call(client.reportPositions.bind(client), {
      pings: moved
        .slice(i, i + 500)
        .map((r) => ({ riderId: r.riderId, position: r.position, recordedAt: new Date() })),
    });
    if (!res.ok) onError(`rider pings failed: ${res.error.code} ${res.error.message}`);
  }
  return moved;
}
