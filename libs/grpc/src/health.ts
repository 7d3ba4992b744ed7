import { credentials, makeGenericClientConstructor, status, type ServiceError } from '@grpc/grpc-js';
import { service as healthService } from 'grpc-health-check';

const HealthClient = makeGenericClientConstructor(healthService, 'grpc.health.v1.Health');

export type HealthStatus = 'SERVING' | 'NOT_SERVING' | 'UNKNOWN' | 'SERVICE_UNKNOWN' | 'UNREACHABLE';

/** One standard grpc.health.v1 Check call (what Kubernetes' gRPC probe does). */
export function checkHealth(target: string, service = '', deadlineMs = 1_000): Promise<HealthStatus> {
  const client = new HealthClient(target, credentials.createInsecure());
  return new Promise<HealthStatus>((resolve) => {
    client.makeUnaryRequest(
      '/grpc.health.v1.Health/Check',
      (arg: { service: string }) => healthService['Check']!.requestSerialize(arg),
      (buf: Buffer) => healthService['Check']!.responseDeserialize(buf) as { status: HealthStatus },
      { service },
      { deadline: Date.now() + deadlineMs },
      (error: ServiceError | null, response?: { status: HealthStatus }) => {
        client.close();
        if (error) resolve(error.code === status.NOT_FOUND ? 'SERVICE_UNKNOWN' : 'UNREACHABLE');
        else resolve(response?.status ?? 'UNKNOWN');
      },
    );
  });
}
