import { createGrpcServer, type ServiceDefinition, type UnaryImplementation } from '@mealpeak/grpc';
import type { BootContext } from '@mealpeak/runtime';

export interface GrpcConfig {
  readonly GRPC_PORT: number;
  readonly LISTEN_HOST: string;
  readonly SHUTDOWN_TIMEOUT_MS: number;
  readonly GRPC_INTERNAL_TOKEN?: string | undefined;
  readonly GRPC_INTERNAL_TOKEN_PREVIOUS?: string | undefined;
}

/**
 * The service's gRPC server, bound now: call it before the consumer joins its group, so a
 * replica whose port is taken fails without first costing the group a rebalance. Its health (the
 * chart's readiness probe for gRPC services) says SERVING only once start-up has finished, the
 * consumer's join included (startConsumer), so a rollout does not replace the next pod while
 * this one's join is still rebalancing the group; it goes NOT_SERVING when shutdown turns
 * readiness off, while calls are still answered. Call the returned function last in start-up: it
 * registers the shutdown step, and steps run in reverse, so in-flight calls finish before
 * anything they use closes.
 */
export async function serveGrpc<D extends ServiceDefinition>(
  ctx: BootContext<GrpcConfig>,
  definition: D,
  implementation: UnaryImplementation<D>,
): Promise<() => void> {
  const { config, logger, lifecycle } = ctx;
  const grpc = createGrpcServer({
    logger,
    host: config.LISTEN_HOST,
    port: config.GRPC_PORT,
    ...(config.GRPC_INTERNAL_TOKEN ? { internalToken: config.GRPC_INTERNAL_TOKEN } : {}),
    ...(config.GRPC_INTERNAL_TOKEN_PREVIOUS
      ? { previousInternalToken: config.GRPC_INTERNAL_TOKEN_PREVIOUS }
      : {}),
  });
  grpc.add(definition, implementation);
  await grpc.start();
  // start() says SERVING; no probe is answered before this line runs (same event-loop turn).
  grpc.stopServing();
  lifecycle.onReady(() => grpc.startServing());
  lifecycle.onReadinessLost(() => grpc.stopServing());
  return () => lifecycle.onShutdown('grpc server', () => grpc.shutdown(config.SHUTDOWN_TIMEOUT_MS / 2));
}
