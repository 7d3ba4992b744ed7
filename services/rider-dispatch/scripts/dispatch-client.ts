/**
 * The dispatch gRPC client the seeding scripts share (the riders CLI, the local platform, the
 * replica mode), and the one call they all make: put a demo rider online at its position.
 */
import { DispatchServiceClient, DispatchServiceService } from '@mealpeak/contracts/dispatch.v1';
import { call, createGrpcClient } from '@mealpeak/grpc';
import type { GoOnline } from '../src/app/seed-riders.ts';

export function dispatchSeedClient(target: string): DispatchServiceClient {
  return createGrpcClient(DispatchServiceClient, DispatchServiceService, {
    target,
    defaultDeadlineMs: 5_000,
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
    });
}
