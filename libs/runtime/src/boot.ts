import { ConfigError, loadConfig, type z } from '@mealpeak/config';
import { createLogger, type Logger } from '@mealpeak/telemetry';
import { createLifecycle, type Lifecycle } from './lifecycle.ts';
import { startOpsServer } from './ops-server.ts';

export interface BootContext<C> {
  readonly config: C;
  readonly logger: Logger;
  readonly lifecycle: Lifecycle;
}

/** What every service's config has (see `env.serviceBase` in @mealpeak/config). */
interface BaseConfig {
  readonly LOG_LEVEL: string;
  readonly OPS_PORT: number;
  readonly LISTEN_HOST?: string;
  readonly SHUTDOWN_TIMEOUT_MS: number;
  readonly SHUTDOWN_DRAIN_DELAY_MS?: number;
}

/**
 * The start-up sequence every service shares, so main.ts only wires its own parts:
 * config (fail fast, naming every bad variable) -> logger -> signal handling -> ops port
 * (health, readiness, metrics) -> the service's own start -> ready.
 */
export async function bootService<S extends z.ZodType<BaseConfig>>(
  service: string,
  schema: S,
  start: (ctx: BootContext<z.output<S>>) => Promise<void>,
): Promise<void> {
  let config: z.output<S>;
  try {
    config = loadConfig(schema) as z.output<S>;
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${service}: ${error.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw error;
  }
  const logger = createLogger({ service, level: config.LOG_LEVEL });
  const lifecycle = createLifecycle({
    logger,
    timeoutMs: config.SHUTDOWN_TIMEOUT_MS,
    drainDelayMs: config.SHUTDOWN_DRAIN_DELAY_MS ?? 0,
  });
  lifecycle.installSignalHandlers();
  const ops = await startOpsServer({
    port: config.OPS_PORT,
    ...(config.LISTEN_HOST ? { host: config.LISTEN_HOST } : {}),
    isReady: lifecycle.isReady,
  });
  logger.info({ port: ops.port, host: config.LISTEN_HOST ?? '0.0.0.0' }, 'ops server listening');
  // Registered first, so it closes last: probes keep answering (not ready) while the rest drains.
  lifecycle.onShutdown('ops server', () => ops.close());
  try {
    await start({ config, logger, lifecycle });
  } catch (error) {
    logger.fatal({ err: error }, 'start-up failed');
    await lifecycle.shutdown('start-up failed');
    process.exit(1);
  }
  lifecycle.setReady(true);
  logger.info({ opsPort: ops.port }, `${service} ready`);
}
